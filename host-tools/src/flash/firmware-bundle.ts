// A firmware bundle as `stipple flash` uploads it: its bytes, CRC-32 (as the pen's
// E.CRC32 computes it) and, read from the minified code, the firmware version and schema
// fingerprint it will report in hello (firmware/src/hal/link.ts passes them as `fw:"…"`
// and `fp:"…"` literals), so the flash can refuse a bundle this host could not talk to
// and check afterwards that the new one runs.
import { readFileSync } from 'node:fs';
import { crc32 } from '@stipple/protocol';

export interface FirmwareBundle {
  file: string;
  bytes: Uint8Array;
  crc: number;
  /** Firmware version in the bundle, if recognisable. */
  fw: string | undefined;
  /** Schema fingerprint in the bundle, if recognisable. */
  fp: string | undefined;
}

export function bundleIdentity(text: string): { fw: string | undefined; fp: string | undefined } {
  const fw = /\bfw:"([ -!#-~]{1,24})"/.exec(text);
  const fp = /\bfp:"([0-9a-f]{16})"/.exec(text);
  return { fw: fw?.[1], fp: fp?.[1] };
}

export function bundleFromBytes(file: string, bytes: Uint8Array): FirmwareBundle {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return { file, bytes, crc: crc32(bytes), ...bundleIdentity(text) };
}

/** Read a bundle file; throws with the file system's reason. */
export function loadBundle(file: string): FirmwareBundle {
  const b = readFileSync(file);
  return bundleFromBytes(file, new Uint8Array(b.buffer, b.byteOffset, b.length));
}
