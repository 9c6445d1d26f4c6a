// The pen's pure-TS SHA-256 / HMAC-SHA256 against Node's crypto.
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { sha256, hmacSha256, toHex } from '@stipple/firmware/proto/sha256';

const bytes = (s: string) => Buffer.from(s, 'latin1');

test('known answers', () => {
  expect(toHex(sha256(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  expect(toHex(sha256('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(toHex(hmacSha256('key', 'The quick brown fox jumps over the lazy dog'))).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
});

test('every length across block boundaries', () => {
  for (let n = 0; n < 200; n++) {
    const m = Array.from({ length: n }, (_, i) => String.fromCharCode((i * 37 + n) & 255)).join('');
    expect(toHex(sha256(m))).toBe(createHash('sha256').update(bytes(m)).digest('hex'));
  }
});

test('random messages and keys (HMAC, long keys hashed first)', () => {
  const byteStr = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((a) => String.fromCharCode(...a));
  fc.assert(fc.property(byteStr(150), byteStr(300), (key, msg) => {
    expect(toHex(hmacSha256(key, msg))).toBe(createHmac('sha256', bytes(key)).update(bytes(msg)).digest('hex'));
    expect(toHex(sha256(msg))).toBe(createHash('sha256').update(bytes(msg)).digest('hex'));
  }), { numRuns: 300, seed: 7 });
});
