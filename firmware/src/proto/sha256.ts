// Compact SHA-256 and HMAC-SHA256 in plain TypeScript for the pen (some Espruino boards
// lack the crypto module). Strings are byte strings (char codes 0..255). Slow on the
// device (tens of ms per block) but only used for SERVICE authentication. No Espruino
// globals; the constant table is computed per call and then freed.

/**
 * The 8 initial hash words and the 64 round constants, computed as FIPS 180-4 defines them:
 * the first 32 bits of the fractional parts of the square roots of the first 8 primes and of
 * the cube roots of the first 64 (a 512-character table costs the MDBT42Q's small Storage
 * more). Checked against the published values on Espruino and in Node (test/proto/sha256.test.ts).
 */
function constants(T: Int32Array): void {
  let n = 0;
  for (let p = 2; n < 64; p++) {
    let q = 2;
    while (p % q) q++;
    if (q < p) continue;
    // a typed array stores the value modulo 2^32
    if (n < 8) T[n] = (Math.sqrt(p) % 1) * 4294967296;
    T[8 + n] = (Math.pow(p, 1 / 3) % 1) * 4294967296;
    n++;
  }
}

/** SHA-256 of a byte string, as a 32-byte string. */
export function sha256(m: string): string {
  const T = new Int32Array(72);
  constants(T);
  const W = new Int32Array(64);
  const l = m.length;
  const n = ((l + 72) >> 6) << 6;
  for (let off = 0; off < n; off += 64) {
    for (let i = 0; i < 16; i++) {
      let w = 0;
      for (let j = 0; j < 4; j++) {
        const p = off + i * 4 + j;
        w = (w << 8) | (p < l ? m.charCodeAt(p) & 255 : p === l ? 128 : 0);
      }
      W[i] = w;
    }
    if (off + 64 === n) { W[14] = (l / 536870912) | 0; W[15] = (l * 8) | 0; }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15];
      const y = W[i - 2];
      W[i] = (W[i - 16] + W[i - 7] +
        (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
        (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    }
    let a = T[0]; let b = T[1]; let c = T[2]; let d = T[3];
    let e = T[4]; let f = T[5]; let g = T[6]; let h = T[7];
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) + T[8 + i] + W[i]) | 0;
      const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    T[0] += a; T[1] += b; T[2] += c; T[3] += d; T[4] += e; T[5] += f; T[6] += g; T[7] += h;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    const w = T[i];
    out += String.fromCharCode((w >>> 24) & 255, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
  }
  return out;
}

/** HMAC-SHA256(key, msg) of byte strings, as a 32-byte string. */
export function hmacSha256(key: string, msg: string): string {
  const k = key.length > 64 ? sha256(key) : key;
  let ip = '';
  let op = '';
  for (let i = 0; i < 64; i++) {
    const x = i < k.length ? k.charCodeAt(i) & 255 : 0;
    ip += String.fromCharCode(x ^ 0x36);
    op += String.fromCharCode(x ^ 0x5c);
  }
  return sha256(op + sha256(ip + msg));
}

/** Lower-case hex of a byte string. */
export function toHex(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += (256 + (s.charCodeAt(i) & 255)).toString(16).substr(1);
  return out;
}
