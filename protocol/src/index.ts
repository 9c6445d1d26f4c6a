// @stipple/protocol: pen <-> host messages. The firmware imports only './limits' (zod-free).
export * from './limits';
export * from './schemas';
export * from './crc32';
export * from './envelope';
export * from './packet';
export * from './telemetry';
export { schemaFingerprint, messagesJsonSchema, canonicalJson } from './fingerprint';
export * from './mqtt';
