// Generates docs/protocol.md from the schemas (their JSON Schema export) and limits.
//   npx ts-node --transpile-only protocol/src/docs/generate-protocol-doc.ts
// protocol/test/docs.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import * as L from '../limits';
import { EVENTS, REQUESTS, REQUEST_IDS, ErrorBody, EventId, Info } from '../schemas';
import { encodeFrameJson } from '../envelope';
import { encodeEventPacket } from '../packet';
import { schemaFingerprint } from '../fingerprint';
import { encodeTelemetry } from '../telemetry';

type JS = Record<string, any>;

const ERROR_DOC: Record<string, string> = {
  BAD_FRAME: 'The packet is not an envelope: not an object, seq missing or not 1..2^31-1, a key missing or extra, a wrong type, or a body that is not JSON. Sent with s = 0 when the seq was unreadable.',
  BAD_CRC: 'c is not the CRC-32 of b.',
  BAD_VERSION: 'v is not the pen\'s protocol version (hello is exempt), or the pen is locked after a hello with another schema fingerprint; the message names both sides.',
  UNKNOWN_MESSAGE: 'i names no request.',
  BAD_FIELD: 'The body has a missing, unknown or mistyped field, a value outside an enumeration, a string with non-printable characters, or breaks a structural rule.',
  OUT_OF_RANGE: 'A value is outside its range or off its grid (0.01 mm), a string or list is too long or short; also a setting beyond the hard depth limit or the preset\'s range (decided by the pen).',
  DUPLICATE: 'The seq equals the last executed request\'s seq: the request is not run again (the host retries with a new seq).',
  NOT_ALLOWED: 'Not allowed in the pen\'s current state (e.g. clear a fault whose cause persists, delete the active preset, start a run while one is active).',
  NEEDS_SERVICE: 'The request needs SERVICE mode (runStart: SERVICE or the bench build).',
  AUTH_FAILED: 'svcEnter with a wrong MAC, or without an outstanding, unexpired challenge.',
  BUSY: 'A slow request (hold, sweep, capture, flash write) is still in progress; runStop and read-only requests are still served.',
  INTERNAL: 'The pen failed (exception in a handler, reply too long for one packet).',
};

function constraint(s: JS): string {
  const c: string[] = [];
  if (s.enum) c.push(s.enum.map((e: unknown) => '`' + JSON.stringify(e) + '`').join(' \\| '));
  if (s.const !== undefined) c.push('`' + JSON.stringify(s.const) + '`');
  if (s.minimum !== undefined || s.maximum !== undefined) c.push(`${s.minimum ?? '−∞'} … ${s.maximum ?? '∞'}`);
  if (s.multipleOf !== undefined) c.push(`step ${s.multipleOf}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) {
    c.push(s.minLength === s.maxLength ? `length ${s.minLength}` : `length ${s.minLength ?? 0} … ${s.maxLength ?? '∞'}`);
  }
  if (s.pattern === L.HEX_RE.source) c.push('lower-case hex');
  else if (s.pattern === L.PRINTABLE_RE.source) c.push('printable ASCII');
  if (s.minItems !== undefined || s.maxItems !== undefined) c.push(`${s.minItems ?? 0} … ${s.maxItems ?? '∞'} items`);
  return c.join(', ');
}

function typeOf(s: JS): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${typeOf(s.items ?? {})}[]`;
  if (s.type) return s.type;
  if (s.enum) return 'string';
  return 'any';
}

function rows(s: JS, prefix: string, out: string[], required = true): void {
  const obj = s.type === 'object' ? s : s.anyOf?.find((x: JS) => x.type === 'object');
  if (obj && obj.properties) {
    if (prefix) out.push(`| \`${prefix}\` | ${typeOf(s)} | ${required ? 'yes' : 'no'} | ${constraint(s)} | ${s.description ?? obj.description ?? ''} |`);
    const req = new Set<string>(obj.required ?? []);
    for (const k of Object.keys(obj.properties)) rows(obj.properties[k], prefix ? `${prefix}.${k}` : k, out, req.has(k));
    return;
  }
  if (s.type === 'array' && s.items?.type === 'object') {
    out.push(`| \`${prefix}\` | object[] | ${required ? 'yes' : 'no'} | ${constraint(s)} | ${s.description ?? ''} |`);
    rows(s.items, `${prefix}[]`, out, true);
    return;
  }
  const itemC = s.type === 'array' && s.items ? constraint(s.items) : '';
  const c = [constraint(s), itemC ? `each ${itemC}` : ''].filter(Boolean).join('; ');
  out.push(`| \`${prefix}\` | ${typeOf(s)} | ${required ? 'yes' : 'no'} | ${c} | ${s.description ?? s.items?.description ?? ''} |`);
}

export function fieldTable(schema: z.ZodType): string {
  const js = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JS;
  const out: string[] = [];
  rows(js, '', out);
  if (out.length === 0) return '_empty object_ `{}`\n';
  return ['| field | type | required | range | meaning |', '| --- | --- | --- | --- | --- |', ...out].join('\n') + '\n';
}

function flagText(f: number): string {
  const t: string[] = [];
  if (f & L.F_WRITE) t.push('changes state');
  if (f & L.F_SERVICE) t.push('SERVICE');
  if (f & L.F_RUN) t.push('SERVICE or bench');
  if (f & L.F_NOREPLY) t.push('no reply');
  if (f & L.F_IDEMPOTENT) t.push('retried');
  return t.join(', ');
}

function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = Array.from(bytes.slice(i, i + 16));
    const hex = row.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const asc = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(4, '0')}  ${hex.padEnd(47)}  ${asc}`);
  }
  return lines.join('\n');
}

export function generateProtocolDoc(): string {
  const fp = schemaFingerprint();
  const o: string[] = [];
  const p = (s = '') => o.push(s);

  p('# Pen ↔ host protocol');
  p();
  p('<!-- Generated by protocol/src/docs/generate-protocol-doc.ts from the zod schemas (protocol/src/schemas.ts) and');
  p('     protocol/src/limits.ts. Do not edit: run `npm run docs`. -->');
  p();
  p(`Protocol version **${L.PROTOCOL_VERSION}**, schema fingerprint **\`${fp}\`** (SHA-256 of the canonical JSON Schema export of every message, first ${L.FP_HEX} hex digits, doc strings left out).`);
  p();
  p('Sources: `protocol/src/schemas.ts` (zod, the one definition of every message), `protocol/src/limits.ts` (ranges and constants, zod-free, also bundled into the firmware), `firmware/src/proto/` (the pen\'s dispatcher and validators), `host-tools/src/link/` (the host client).');
  p();
  p('## Transport: Espruino\'s console packet protocol');
  p();
  p('The pen\'s USB/serial console is Espruino\'s REPL; Espruino 2v25+ also accepts framed packets on it, and the REPL stays usable alongside them.');
  p();
  p('```');
  p('packet  = DLE SOH  hi lo  data            DLE = 0x10, SOH = 0x01');
  p('(hi<<8 | lo) = type (top 3 bits) | length of data in bytes (low 13 bits, ≤ 8191)');
  p('```');
  p();
  p('| type | value | use |');
  p('| --- | --- | --- |');
  p(`| RESPONSE | 0x${L.PKT_RESPONSE.toString(16).padStart(4, '0')} | (interpreter's answer to EVAL; not used) |`);
  p(`| EVAL | 0x${L.PKT_EVAL.toString(16)} | (not used) |`);
  p(`| EVENT | 0x${L.PKT_EVENT.toString(16)} | **every protocol message, both directions.** Host → pen: the interpreter parses the data as JSON, answers ACK (0x06) or NAK (0x15) and raises \`E.on('packet', json)\`. Pen → host: the firmware writes the same framing to the console. |`);
  p(`| FILE_SEND | 0x${L.PKT_FILE_SEND.toString(16)} | firmware upload: \`{"fn": name, "s": size}\` opens a Storage file … |`);
  p(`| DATA | 0x${L.PKT_DATA.toString(16)} | … and DATA packets carry its bytes (host: \`encodeFileUpload\`, \`PenClient.uploadFile\`; one packet per ACK) |`);
  p(`| FILE_RECV | 0x${L.PKT_FILE_RECV.toString(16)} | (not used) |`);
  p();
  p('The interpreter NAKs a packet it cannot parse or that takes longer than 2 s. A NAKed request did not run, so the host resends it (new seq). Packets carry no checksum of their own, hence the CRC in the envelope.');
  p();
  p('**Receiving on the host** (`PacketParser`): bytes outside packets are REPL text, except lone ACK/NAK bytes. The pen\'s packets contain JSON text only, so a control byte (< 0x20 or 0x7F) inside a packet means it was cut short (reset, lost bytes): the parser drops it and rescans from the byte after its DLE SOH, so a following packet is never lost; a packet left incomplete for 500 ms is dropped the same way.');
  p();
  p('## Envelope');
  p();
  p('Every message, both directions, is one JSON object with exactly these keys, in this order on the pen:');
  p();
  p('```');
  p('{"v":<protocol version>,"i":"<message id>","s":<seq>,"b":"<body as a JSON string>","c":<CRC-32 of b>}');
  p('```');
  p();
  p('| key | meaning |');
  p('| --- | --- |');
  p(`| \`v\` | protocol version, ${L.PROTOCOL_VERSION}. The pen answers BAD_VERSION to any other, except for \`hello\` (so that a mismatch can be reported clearly). |`);
  p('| `i` | message id: a request name (the reply carries the same `i`), `"err"` for an error reply, or an event name. |');
  p(`| \`s\` | sequence number. Requests: 1 … ${L.SEQ_MAX}, chosen by the host, a new one for every transmission (the host starts at a random value). A reply carries its request's \`s\`; an error reply to a frame whose seq was unreadable carries 0. Events: the pen's own counter, +1 per event, so the host can count lost telemetry. |`);
  p('| `b` | the body, serialised as JSON and carried as a **string**. |');
  p('| `c` | CRC-32 (IEEE 802.3, as `E.CRC32`; `E.CRC32("hello") = 907060870`) of the bytes of `b`, unsigned. |');
  p();
  p('Why a string body: the CRC is computed over exactly the bytes that travel, so it does not depend on how V8 and Espruino format numbers. On the pen a request costs one native `E.CRC32`, one native `JSON.parse` of the body and a few statements per field. All text is printable ASCII (the host escapes anything else as `\\uXXXX`); packet length is in bytes.');
  p();
  p('### Rules');
  p();
  p('1. The pen checks, in this order: envelope shape and seq (BAD_FRAME), CRC (BAD_CRC), version (BAD_VERSION, hello exempt), id (UNKNOWN_MESSAGE), schema lock (BAD_VERSION), duplicate seq (DUPLICATE), body JSON (BAD_FRAME), body fields (BAD_FIELD / OUT_OF_RANGE), SERVICE (NEEDS_SERVICE), busy (BUSY). Only then does it run the request. A structural error (BAD_FIELD) wins over a range error.');
  p('2. Every frame gets exactly one reply or error reply, except a valid `hb`, which gets none.');
  p('3. A request whose `s` equals the last executed request\'s `s` is answered DUPLICATE and not run again.');
  p('4. The host retries *idempotent* requests (marked "retried" below) with a new seq after a timeout, and any request after a NAK. A non-idempotent request that times out is reported as TIMEOUT: the caller must check the state (e.g. `status`) before repeating it.');
  p(`5. Handshake: the host sends \`hello\` with its protocol version and schema fingerprint. If they differ from the pen's, the pen answers BAD_VERSION with a message naming both versions and fingerprints, and refuses every other request (BAD_VERSION) until a matching hello; the host reports SCHEMA_MISMATCH. The host also compares the fingerprint in the reply.`);
  p(`6. Host-driven runs: while a run started with \`runStart\` is active the host sends \`hb\` every ${L.HEARTBEAT_INTERVAL_MS} ms; the pen stops the run when no heartbeat arrived for ${L.HEARTBEAT_TIMEOUT_MS} ms (HEARTBEAT_TIMEOUT_MS).`);
  p();
  p('## Requests');
  p();
  p('| id | flags | what it does |');
  p('| --- | --- | --- |');
  for (const id of REQUEST_IDS) p(`| [\`${id}\`](#${id.toLowerCase()}) | ${flagText(L.REQUEST_FLAGS[id])} | ${REQUESTS[id].doc} |`);
  p();
  for (const id of REQUEST_IDS) {
    p(`### ${id}`);
    p();
    p(`${REQUESTS[id].doc} Flags: ${flagText(L.REQUEST_FLAGS[id]) || '—'}.`);
    p();
    p('Request body:');
    p();
    p(fieldTable(REQUESTS[id].req));
    p(L.REQUEST_FLAGS[id] & L.F_NOREPLY ? 'Reply: none.' : 'Reply body:');
    p();
    if (!(L.REQUEST_FLAGS[id] & L.F_NOREPLY)) p(fieldTable(REQUESTS[id].rep));
  }
  p('## Events (pen → host)');
  p();
  p('Unsolicited; `s` is the pen\'s event counter.');
  p();
  for (const id of Object.keys(EVENTS) as EventId[]) {
    p(`### ${id}`);
    p();
    p(EVENTS[id].doc);
    p();
    if (id !== 'tlm') p(fieldTable(EVENTS[id].body));
  }
  p('## Telemetry records');
  p();
  p('A record is a positional array, not a keyed object: `[mask, v0, v1, …, [depths]?]`. Bit k of `mask` says whether field k is present; the values follow in field order; if the subscription asked for `perStroke`, the last element is the list of measured bottom-of-stroke depths (µm), one per stroke in the record. All values are integers.');
  p();
  p('| bit | field | range | unit |');
  p('| --- | --- | --- | --- |');
  const units: Record<string, string> = {
    t: 'ms since boot (wraps at 2^32)', setUm: 'µm, depth setpoint', depthUm: 'µm, measured bottom-of-stroke depth (mean)', rate: 'strokes/s',
    duty: '‰ drive duty', mA: 'mA coil/motor current', dC: '0.1 °C drive temperature', state: `index into ${JSON.stringify(L.STATE_NAMES)}`,
    fault: 'latched fault code, 0 none', warn: `bits: ${L.WARN_NAMES.map((w, k) => `${1 << k} ${w}`).join(', ')}`, inSkin: 'strokes in skin in this record', n: 'strokes in this record',
  };
  L.TLM_FIELDS.forEach((f, k) => p(`| ${k} | \`${f}\` | ${L.TLM_MIN[k]} … ${L.TLM_MAX[k]} | ${units[f]} |`));
  p();
  const widest = L.TLM_FIELDS.map((_, k) => (String(L.TLM_MIN[k]).length > String(L.TLM_MAX[k]).length ? L.TLM_MIN[k] : L.TLM_MAX[k]));
  const rec = encodeTelemetry(widest, L.TLM_ALL, new Array(L.TLM_EVERY_MIN).fill(L.TLM_DEPTH_MIN_UM));
  const pkt = encodeEventPacket(encodeFrameJson('tlm', L.SEQ_MAX, rec));
  const bps = Math.round((pkt.length * L.RATE_MAX) / L.TLM_EVERY_MIN);
  p(`A record covers \`every\` strokes, ${L.TLM_EVERY_MIN} … ${L.TLM_EVERY_MAX}. Worst case (all fields at their widest, per-stroke depths, every = ${L.TLM_EVERY_MIN}, ${L.RATE_MAX} strokes/s): ${pkt.length} bytes per packet, **${bps} B/s**, within the ${L.TLM_BUDGET_BPS} B/s budget (checked by protocol/test/telemetry.test.ts). Every stroke's depth is reported.`);
  p();
  p(`A record that reports no stroke leaves out the fields only measured strokes give (${L.TLM_FIELDS.filter((_, k) => L.TLM_STROKE_FIELDS & (1 << k)).map((f) => `\`${f}\``).join(', ')}: \`TLM_STROKE_FIELDS\` = ${L.TLM_STROKE_FIELDS}) and the per-stroke depths. A stepper pen sends such records while it runs before the run's first record of strokes (its stage travels to the depth with the cam parked, the first run after boot probes the cam's phase, then the cam ramps: 0.3–1.6 s after the start), one per \`every\` strokes' time at the set rate, at most one per housekeeping tick (8 Hz). Their \`rate\` is the cam's: 0 while it is parked, the probe's while it probes, the set rate once it turns; the ramp's strokes come in the first record of strokes. A subscription to none of the remaining fields gets none of these records.`);
  p();
  p('Example body: `' + JSON.stringify(encodeTelemetry([812345, 1200, 1187, 120, 640, 850, 365, 3, 0, 0, 9, 10], 0b10000000111, [1180, 1190, 1185, 1192, 1187, 1186, 1179, 1190, 1188, 1183])) + '` (t, setUm, depthUm, n, per-stroke depths).');
  p();
  p('## Error replies');
  p();
  p('`i` = `"err"`, `s` = the request\'s seq (0 if unreadable), body:');
  p();
  p(fieldTable(ErrorBody));
  p('| code | meaning |');
  p('| --- | --- |');
  for (const c of L.ERROR_CODES) p(`| \`${c}\` | ${ERROR_DOC[c]} |`);
  p();
  p('The host client (`PenError.code`) adds its own: `TIMEOUT` (no reply after the retries), `NAK` (the interpreter refused the packet every time), `LINK_CLOSED`, `SCHEMA_MISMATCH` (hello: other protocol version or fingerprint), `INVALID_REPLY` (a reply or event that fails its zod schema, or a corrupt frame).');
  p();
  p('## Worked example: hello');
  p();
  const hello = encodeFrameJson('hello', 1, { pv: L.PROTOCOL_VERSION, fp, host: 'stipple-cli 0.1.0' });
  const helloPkt = encodeEventPacket(hello);
  p('Host → pen, request seq 1:');
  p();
  p('```');
  p(hello);
  p('```');
  p();
  p('```');
  p(hexDump(helloPkt));
  p('```');
  p();
  p(`\`10 01\` DLE SOH; \`${helloPkt[2].toString(16).padStart(2, '0')} ${helloPkt[3].toString(16).padStart(2, '0')}\` = 0x4000 (EVENT) | ${helloPkt.length - 4} (length); then the envelope JSON. The interpreter answers \`06\` (ACK) and raises \`E.on('packet', …)\`.`);
  p();
  const info: z.input<typeof Info> = {
    pv: L.PROTOCOL_VERSION, fp, fw: '0.1.0', board: 'PICO', drive: 'voiceCoil', serial: 'SP-000123',
    cal: { status: 'ok', date: '2025-03-01' }, service: false,
  };
  const reply = encodeFrameJson('hello', 1, info);
  const replyPkt = encodeEventPacket(reply);
  p('Pen → host (ACK, then the reply):');
  p();
  p('```');
  p(reply);
  p('```');
  p();
  p('```');
  p(hexDump(new Uint8Array([0x06, ...replyPkt])));
  p('```');
  p();
  p(`The body string \`b\` is \`${JSON.parse(reply).b}\`; \`c\` = CRC-32 of those ${JSON.parse(reply).b.length} bytes = ${JSON.parse(reply).c}.`);
  p();
  p('## SERVICE mode and security');
  p();
  p('SERVICE mode unlocks what a technician needs and a practitioner must not touch: hard depth limits per cartridge type (`setLimit`), calibration primitives that drive the needle directly (`hold`, `sweep`, `capture`), writing and restoring calibration records, and host-driven runs (`runStart`, also on the bench build).');
  p();
  p('**Entering it** is a challenge–response with a per-device technician secret (a byte string stored in the pen\'s flash at production, and in the technician\'s tool):');
  p();
  p('1. host → `svcChallenge`; pen → `{nonce}`: 128 random bits (hardware RNG), valid for 60 s and for one attempt.');
  p('2. host → `svcEnter {mac}` with `mac = HMAC-SHA256(secret, nonce + "|" + serial)` in lower-case hex.');
  p('3. The pen computes the same (a compact pure-TS SHA-256, `firmware/src/proto/sha256.ts`), compares, and enters SERVICE or answers AUTH_FAILED. The nonce is consumed either way.');
  p();
  p('What it protects against:');
  p();
  p('- A practitioner, or any software on the clinic\'s computer that speaks the protocol, changing safety limits, calibration or driving the needle without the technician secret.');
  p('- Replay: a recorded `svcEnter` is useless, because every nonce is fresh and single-use; binding the serial number stops a MAC from one pen being used on another.');
  p('- Guessing: one guess per challenge, a 256-bit MAC; the secret never crosses the link.');
  p();
  p('What it does **not** protect against:');
  p();
  p('- **The REPL.** Whoever has the console can type JavaScript: read the secret from Storage, call the firmware\'s functions directly, or upload other firmware. The challenge–response guards the protocol, not the interpreter. Lock the console in clinical use (below).');
  p('- Eavesdropping and tampering on the link: nothing is encrypted, and once in SERVICE mode the session is not authenticated per message (a man in the middle on the USB cable could inject requests). The link is a USB cable in the technician\'s hands; that is the accepted risk.');
  p('- A leaked secret (the technician tool or a pen\'s flash read out): per-device secrets limit that to one pen; re-provision it.');
  p('- Physical access to the MCU (SWD debug port, flash readout): use the MCU\'s readout protection at production.');
  p('- Safety itself: hard limits, fault latching and the heartbeat stop are enforced by the firmware in every mode, SERVICE included; SERVICE only unlocks who may change the limits.');
  p();
  p('**Locking the REPL in clinical use.** Espruino can require a password on its console: `E.setPassword("…")` stores a password, and `E.lockConsole()` locks the console at once (it is also locked at power-on once a password is set); `E.setPassword()` with no argument removes it. While locked, the REPL only accepts the password, so nobody can type JavaScript or read Storage without it. Checked on the real interpreter (2v29 built for Linux): while the console is locked a typed line gets `Invalid password` and an EVENT packet is swallowed as password input (no ACK, no `packet` event), so a locked pen also refuses this protocol. A locked pen therefore runs from the handset only; before a service session (or to stream telemetry) the technician unlocks the console with the password, and locks it again after. Set the password at production (per device, kept with the technician secret), and keep the SWD port closed.');
  p();
  p('## Constants');
  p();
  p('| name | value |');
  p('| --- | --- |');
  for (const k of ['PROTOCOL_VERSION', 'HEARTBEAT_TIMEOUT_MS', 'HEARTBEAT_INTERVAL_MS', 'PACKET_MAX', 'SEQ_MAX', 'DEPTH_MIN_MM', 'DEPTH_MAX_MM', 'DEPTH_STEP_MM', 'RATE_MIN', 'RATE_MAX', 'DIA_MIN_MM', 'DIA_MAX_MM', 'MAX_PRESETS', 'FAULT_LOG_MAX', 'CAPTURE_MAX', 'SWEEP_MAX', 'RAW_MAX', 'TLM_EVERY_MIN', 'TLM_EVERY_MAX', 'TLM_BUDGET_BPS'] as const) {
    p(`| \`${k}\` | ${(L as Record<string, unknown>)[k]} |`);
  }
  p();
  p(`Fault codes (display names, \`FAULT_NAMES\`): ${L.FAULT_NAMES.map((n, k) => `${k} ${n}`).slice(1).join(', ')}. States: ${L.STATE_NAMES.map((n, k) => `${k} ${n}`).join(', ')}.`);
  p();
  return o.join('\n');
}

export const PROTOCOL_DOC_PATH = path.resolve(__dirname, '../../../docs/protocol.md');

if (require.main === module) {
  writeFileSync(PROTOCOL_DOC_PATH, generateProtocolDoc());
  console.log(`wrote ${PROTOCOL_DOC_PATH}`);
}
