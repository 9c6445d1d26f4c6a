// What the page's bundle gets for `node:crypto` (host-tools/web/build.mjs aliases it): the
// two calls on the path the page shares with the CLI, SHA-256 of the schema for the
// fingerprint (protocol/src/fingerprint.ts) and the SERVICE HMAC (PenClient.enterService),
// on the pen's own pure-TypeScript SHA-256. Strings hash as UTF-8, keys and data as bytes,
// as in Node; only hex digests. WebCrypto would not do: it is asynchronous, and missing on
// a page served over plain HTTP to another machine.
import { hmacSha256, sha256, toHex } from '@stipple/firmware/proto/sha256';

type Data = string | Uint8Array;

/** The byte string (char codes 0..255) of the data, strings as UTF-8. */
function byteString(d: Data): string {
  const bytes = typeof d === 'string' ? new TextEncoder().encode(d) : d;
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

interface Digest {
  update(d: Data): Digest;
  digest(encoding: 'hex'): string;
}

function checkAlgorithm(alg: string): void {
  if (alg !== 'sha256') throw new Error(`the web console has sha256 only (asked for ${alg})`);
}

export function createHash(alg: string): Digest {
  checkAlgorithm(alg);
  let msg = '';
  const h: Digest = {
    update: (d) => { msg += byteString(d); return h; },
    digest: () => toHex(sha256(msg)),
  };
  return h;
}

export function createHmac(alg: string, key: Data): Digest {
  checkAlgorithm(alg);
  const k = byteString(key);
  let msg = '';
  const h: Digest = {
    update: (d) => { msg += byteString(d); return h; },
    digest: () => toHex(hmacSha256(k, msg)),
  };
  return h;
}
