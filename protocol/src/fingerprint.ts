// Schema fingerprint: SHA-256 of the canonical JSON Schema export of every message,
// truncated to FP_HEX hex digits. Exchanged in hello; the firmware build injects it as
// the define __STIPPLE_SCHEMA_FP__ (firmware/build.mjs calls schemaFingerprint()).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FP_HEX } from './limits';
import { allMessagesSchema } from './schemas';

/**
 * JSON with object keys sorted, so the hash does not depend on key order. With
 * `skipDocs`, `description` keys are left out: rewording a doc string must not make
 * a host and a pen refuse each other.
 */
export function canonicalJson(v: unknown, skipDocs = false): string {
  if (Array.isArray(v)) return '[' + v.map((x) => canonicalJson(x, skipDocs)).join(',') + ']';
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return '{' + Object.keys(o).sort().filter((k) => o[k] !== undefined && !(skipDocs && k === 'description'))
      .map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k], skipDocs)).join(',') + '}';
  }
  return JSON.stringify(v);
}

/** The JSON Schema (draft 2020-12) of all messages. */
export function messagesJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(allMessagesSchema(), { unrepresentable: 'any' }) as Record<string, unknown>;
}

let cached: string | undefined;

/** Hex fingerprint of the schemas (FP_HEX digits). */
export function schemaFingerprint(): string {
  if (cached === undefined) {
    cached = createHash('sha256').update(canonicalJson(messagesJsonSchema(), true)).digest('hex').slice(0, FP_HEX);
  }
  return cached;
}
