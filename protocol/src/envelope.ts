// Host-side codec of the envelope {"v","i","s","b","c"} (the pen's side is
// firmware/src/proto/dispatcher.ts). The body travels as a JSON string `b` and `c` is
// the CRC-32 of that string's bytes, so number formatting (V8 vs Espruino) cannot break
// the check. Everything on the wire is printable ASCII: non-ASCII characters in a body
// are sent as \uXXXX escapes.
import { z } from 'zod';
import { crc32 } from './crc32';
import { ERR_ID, PROTOCOL_VERSION, PACKET_MAX, SEQ_MAX } from './limits';
import { Envelope, ErrorBody, ErrorCode, EVENTS, REQUESTS, RequestId, EventId } from './schemas';

/** JSON.stringify with every non-ASCII character escaped (\uXXXX). */
export function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** The envelope JSON text for a body (any message, either direction). */
export function encodeFrameJson(id: string, seq: number, body: unknown, version: number = PROTOCOL_VERSION): string {
  const b = asciiJson(body);
  const json = '{"v":' + version + ',"i":' + JSON.stringify(id) + ',"s":' + seq + ',"b":' + JSON.stringify(b) + ',"c":' + crc32(b) + '}';
  if (json.length > PACKET_MAX) throw new RangeError(`frame ${id} is ${json.length} bytes, more than ${PACKET_MAX}`);
  return json;
}

export type DecodedFrame =
  | { ok: true; env: Envelope; body: unknown }
  | { ok: false; code: ErrorCode; msg: string; seq: number };

/** Check an envelope (already JSON-parsed) and parse its body; no body validation. */
export function decodeEnvelope(obj: unknown): DecodedFrame {
  const seqOf = (o: unknown) => {
    const s = o && typeof o === 'object' ? (o as { s?: unknown }).s : undefined;
    return typeof s === 'number' && Number.isInteger(s) && s >= 0 ? s : 0;
  };
  const r = Envelope.safeParse(obj);
  if (!r.success) return { ok: false, code: 'BAD_FRAME', msg: 'bad envelope: ' + z.prettifyError(r.error).replace(/\n/g, ' '), seq: seqOf(obj) };
  const env = r.data;
  if (crc32(env.b) !== env.c) return { ok: false, code: 'BAD_CRC', msg: 'CRC mismatch', seq: env.s };
  let body: unknown;
  try {
    body = JSON.parse(env.b);
  } catch {
    return { ok: false, code: 'BAD_FRAME', msg: 'body is not JSON', seq: env.s };
  }
  return { ok: true, env, body };
}

/** Map zod issues to a protocol error code: structural problems are BAD_FIELD, limits OUT_OF_RANGE. */
export function codeForIssues(issues: readonly z.core.$ZodIssue[]): 'BAD_FIELD' | 'OUT_OF_RANGE' {
  for (const i of issues) {
    if (i.code === 'too_big' || i.code === 'too_small' || i.code === 'not_multiple_of') continue;
    if (i.code === 'custom' && (i.params as { code?: string } | undefined)?.code !== 'BAD_FIELD') continue;
    return 'BAD_FIELD';
  }
  return 'OUT_OF_RANGE';
}

export type BodyCheck<T> = { ok: true; value: T } | { ok: false; code: 'BAD_FIELD' | 'OUT_OF_RANGE' | 'UNKNOWN_MESSAGE'; msg: string };

function check<T>(schema: z.ZodType<T>, body: unknown): BodyCheck<T> {
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, code: codeForIssues(r.error.issues), msg: z.prettifyError(r.error).replace(/\n/g, ' ') };
}

/** Validate a request body with zod (what the pen's validators must agree with). */
export function checkRequest(id: string, body: unknown): BodyCheck<unknown> {
  if (!Object.prototype.hasOwnProperty.call(REQUESTS, id)) return { ok: false, code: 'UNKNOWN_MESSAGE', msg: 'unknown message ' + id };
  return check(REQUESTS[id as RequestId].req as z.ZodType<unknown>, body);
}

/** Validate a reply body to request `id`. */
export function checkReply(id: string, body: unknown): BodyCheck<unknown> {
  if (id === ERR_ID) return check(ErrorBody, body);
  if (!Object.prototype.hasOwnProperty.call(REQUESTS, id)) return { ok: false, code: 'UNKNOWN_MESSAGE', msg: 'unknown message ' + id };
  return check(REQUESTS[id as RequestId].rep as z.ZodType<unknown>, body);
}

/** Validate an event body. */
export function checkEvent(id: string, body: unknown): BodyCheck<unknown> {
  if (!Object.prototype.hasOwnProperty.call(EVENTS, id)) return { ok: false, code: 'UNKNOWN_MESSAGE', msg: 'unknown event ' + id };
  return check(EVENTS[id as EventId].body as z.ZodType<unknown>, body);
}

export type RequestCheck =
  | { ok: true; id: RequestId; seq: number; body: unknown }
  | { ok: false; code: ErrorCode; seq: number; msg: string };

/**
 * The stateless part of what the pen does with a request frame, in the pen's order
 * (firmware/src/proto/dispatcher.ts): envelope, seq, CRC, version (hello exempt), id,
 * body JSON, body schema. The pen adds the stateful checks (schema lock, DUPLICATE,
 * NEEDS_SERVICE, BUSY). Golden vectors hold both to the same answers.
 */
export function checkRequestFrame(f: unknown): RequestCheck {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return { ok: false, code: 'BAD_FRAME', seq: 0, msg: 'not an object' };
  const o = f as Record<string, unknown>;
  const s = o.s;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > SEQ_MAX) return { ok: false, code: 'BAD_FRAME', seq: 0, msg: 'bad seq' };
  const { i, b, c, v } = o;
  if (typeof i !== 'string' || typeof b !== 'string' || typeof c !== 'number' || typeof v !== 'number' || Object.keys(o).length !== 5) {
    return { ok: false, code: 'BAD_FRAME', seq: s, msg: 'envelope needs exactly v,i,s,b,c' };
  }
  if (crc32(b) !== c) return { ok: false, code: 'BAD_CRC', seq: s, msg: 'CRC mismatch' };
  if (v !== PROTOCOL_VERSION && i !== 'hello') return { ok: false, code: 'BAD_VERSION', seq: s, msg: `frame is v${v}` };
  if (!Object.prototype.hasOwnProperty.call(REQUESTS, i)) return { ok: false, code: 'UNKNOWN_MESSAGE', seq: s, msg: 'unknown message ' + i };
  let body: unknown;
  try {
    body = JSON.parse(b);
  } catch {
    return { ok: false, code: 'BAD_FRAME', seq: s, msg: 'body is not JSON' };
  }
  const r = checkRequest(i, body);
  if (!r.ok) return { ok: false, code: r.code, seq: s, msg: r.msg };
  return { ok: true, id: i as RequestId, seq: s, body: r.value };
}
