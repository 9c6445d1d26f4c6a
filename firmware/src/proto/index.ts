// Firmware side of the pen <-> host protocol (pure TypeScript: no Espruino globals).
export { Dispatcher, requestFlags, NONCE_TTL_MS } from './dispatcher';
export type { DispatcherOptions } from './dispatcher';
export type { PenApi, PenIdentity, Reply, ProtoError } from './pen-api';
export { protoError } from './pen-api';
export { checkBody } from './validate';
export { sha256, hmacSha256, toHex } from './sha256';
