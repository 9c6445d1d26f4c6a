// Standard CRC-32 (IEEE 802.3, reflected, init/xorout 0xFFFFFFFF): the same as Espruino's
// E.CRC32, which the pen uses. Works on the bytes of a latin-1/ASCII string or a byte array.
let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 of a string's char codes (each must be < 256) or of bytes; unsigned. */
export function crc32(data: string | Uint8Array): number {
  const t = table ?? (table = makeTable());
  let c = 0xffffffff;
  if (typeof data === 'string') {
    for (let i = 0; i < data.length; i++) c = t[(c ^ data.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  } else {
    for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
