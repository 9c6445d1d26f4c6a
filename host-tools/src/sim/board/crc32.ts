// E.CRC32 on the virtual board is the protocol package's standard CRC-32 (one implementation).
export { crc32 } from '@stipple/protocol/crc32';
