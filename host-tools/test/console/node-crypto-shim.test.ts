// The page's stand-in for node:crypto (host-tools/web/src/node-crypto-shim.ts, on the pen's
// own SHA-256) against Node's: the same digests for text (UTF-8) and bytes, the same HMAC,
// and so the same schema fingerprint and SERVICE MAC as the CLI computes.
import { createHash as nodeHash, createHmac as nodeHmac, randomBytes } from 'node:crypto';
import { canonicalJson, messagesJsonSchema, schemaFingerprint, FP_HEX } from '@stipple/protocol';
import { createHash, createHmac } from '../../web/src/node-crypto-shim';

describe('node:crypto stand-in of the web console', () => {
  test('sha256 of text and bytes as Node computes it', () => {
    const texts = ['', 'abc', 'hello', 'a'.repeat(55), 'b'.repeat(56), 'c'.repeat(64), 'µm, °C — ✓ 𝄞', 'x'.repeat(100000)];
    for (const t of texts) expect(createHash('sha256').update(t).digest('hex')).toBe(nodeHash('sha256').update(t).digest('hex'));
    for (let n = 0; n < 200; n += 7) {
      const b = randomBytes(n);
      expect(createHash('sha256').update(new Uint8Array(b)).update('tail').digest('hex')).toBe(nodeHash('sha256').update(b).update('tail').digest('hex'));
    }
  });

  test('HMAC-SHA256 with byte and text keys, short and longer than a block', () => {
    for (const klen of [0, 16, 32, 64, 65, 130]) {
      const key = new Uint8Array(randomBytes(klen));
      const msg = `${randomBytes(16).toString('hex')}|SIM-V-000001`;
      expect(createHmac('sha256', key).update(msg).digest('hex')).toBe(nodeHmac('sha256', key).update(msg).digest('hex'));
    }
    const secret = 'a5f9323afa0d6cfbcfd6ab340126d217';
    expect(createHmac('sha256', secret).update('n|s').digest('hex')).toBe(nodeHmac('sha256', secret).update('n|s').digest('hex'));
  });

  test('the schema fingerprint the page sends in hello is the CLI\'s', () => {
    const fp = createHash('sha256').update(canonicalJson(messagesJsonSchema(), true)).digest('hex').slice(0, FP_HEX);
    expect(fp).toBe(schemaFingerprint());
  });

  test('other algorithms are refused, not miscomputed', () => {
    expect(() => createHash('md5')).toThrow(/sha256 only/);
  });
});
