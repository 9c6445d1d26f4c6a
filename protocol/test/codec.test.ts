import { crc32 } from '../src/crc32';
import { asciiJson, decodeEnvelope, encodeFrameJson, checkRequest, checkReply } from '../src/envelope';
import { encodeEventPacket, encodeFileUpload, encodePacket } from '../src/packet';
import { PKT_DATA, PKT_EVENT, PKT_FILE_SEND, REQUEST_FLAGS, F_WRITE, F_IDEMPOTENT, F_NOREPLY, HEARTBEAT_TIMEOUT_MS, HEARTBEAT_INTERVAL_MS } from '../src/limits';
import { REQUESTS, REQUEST_IDS } from '../src/schemas';
import { schemaFingerprint, canonicalJson } from '../src/fingerprint';

test('CRC-32 matches Espruino E.CRC32', () => {
  expect(crc32('hello')).toBe(907060870);
  expect(crc32('')).toBe(0);
  expect(crc32('123456789')).toBe(0xcbf43926);
  expect(crc32(new Uint8Array([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]))).toBe(0xcbf43926);
});

test('frames are ASCII, CRC the body string and round-trip', () => {
  const json = encodeFrameJson('setPreset', 7, { index: 0, preset: { name: 'Dichte \u00fc', depth: 1 } });
  expect(json).toMatch(/^[ -~]*$/);
  const d = decodeEnvelope(JSON.parse(json));
  expect(d.ok && d.body).toEqual({ index: 0, preset: { name: 'Dichte \u00fc', depth: 1 } });
  expect(asciiJson('\u00fc')).toBe('"\\u00fc"');
  const bad = JSON.parse(json);
  bad.b = bad.b.replace('1', '2');
  expect(decodeEnvelope(bad)).toEqual(expect.objectContaining({ ok: false, code: 'BAD_CRC', seq: 7 }));
});

test('a frame larger than one packet is refused when encoding', () => {
  expect(() => encodeFrameJson('calWrite', 1, { x: 'y'.repeat(9000) })).toThrow(RangeError);
});

test('packet headers: DLE SOH, type in the top 3 bits, length in the low 13', () => {
  const p = encodeEventPacket('{"a":1}');
  expect(Array.from(p.slice(0, 4))).toEqual([0x10, 0x01, 0x40, 7]);
  const big = encodePacket(PKT_DATA, new Uint8Array(8191));
  expect(Array.from(big.slice(0, 4))).toEqual([0x10, 0x01, 0x9f, 0xff]);
  expect(() => encodePacket(PKT_EVENT, new Uint8Array(8192))).toThrow(RangeError);
});

test('file upload: FILE_SEND {fn, s} then DATA chunks', () => {
  const data = new Uint8Array(2500).map((_, i) => i & 255);
  const pk = encodeFileUpload('.bootcde', data, 1024);
  expect(pk).toHaveLength(4);
  expect((pk[0][2] << 8 | pk[0][3]) & 0xe000).toBe(PKT_FILE_SEND);
  expect(JSON.parse(Buffer.from(pk[0].slice(4)).toString('latin1'))).toEqual({ fn: '.bootcde', s: 2500 });
  const body = pk.slice(1).map((p) => { expect((p[2] << 8 | p[3]) & 0xe000).toBe(PKT_DATA); return Array.from(p.slice(4)); }).flat();
  expect(body).toEqual(Array.from(data));
  expect(() => encodeFileUpload('', data)).toThrow(RangeError);
});

test('every request has flags, a doc, and schemas that accept the empty body only when they should', () => {
  for (const id of REQUEST_IDS) {
    expect(typeof REQUEST_FLAGS[id]).toBe('number');
    expect(REQUESTS[id].doc.length).toBeGreaterThan(5);
    if (!(REQUEST_FLAGS[id] & (F_WRITE | F_NOREPLY))) expect([id, REQUEST_FLAGS[id] & F_IDEMPOTENT]).toEqual([id, F_IDEMPOTENT]);
  }
  expect(checkRequest('status', {}).ok).toBe(true);
  expect(checkReply('err', { code: 'BUSY', msg: 'x' }).ok).toBe(true);
  expect(checkReply('err', { code: 'NOPE', msg: 'x' }).ok).toBe(false);
  expect(HEARTBEAT_INTERVAL_MS * 3).toBeLessThan(HEARTBEAT_TIMEOUT_MS);
});

test('schema fingerprint: 16 hex digits, stable, independent of key order and doc strings', () => {
  const fp = schemaFingerprint();
  expect(fp).toMatch(/^[0-9a-f]{16}$/);
  expect(schemaFingerprint()).toBe(fp);
  expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  expect(canonicalJson({ a: 1, description: 'x' }, true)).toBe(canonicalJson({ a: 1, description: 'y' }, true));
});
