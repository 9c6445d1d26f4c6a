// What `stipple flash` asks the pen's interpreter directly (EVAL packets), whatever
// firmware runs or none: Storage figures, a file's size and CRC, erase, reboot.
import type { PenClient } from '../link/pen-client';
import type { StorageProbe } from './flash-plan';

/** The name a new firmware is staged under before it becomes .bootcde. */
export const STAGED_FILE = '.fwnew';
export const BOOT_FILE = '.bootcde';

function numbers(text: string, n: number, what: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`unexpected answer to ${what} from the pen's interpreter: ${text.slice(0, 80)}`);
  }
  return v as number[];
}

const q = (s: string): string => JSON.stringify(s);

export async function probeStorage(client: PenClient, timeoutMs = 2000): Promise<StorageProbe> {
  const t = await client.evaluate(
    `(function(){var s=require("Storage"),t=s.getStats(),b=s.read(${q(BOOT_FILE)}),n=s.read(${q(STAGED_FILE)});` +
      'return [t.totalBytes,t.fileBytes,t.freeBytes,t.trashBytes,b===undefined?-1:b.length,n===undefined?-1:n.length]})()',
    timeoutMs,
  );
  const [totalBytes, fileBytes, freeBytes, trashBytes, bootSize, stagedSize] = numbers(t, 6, 'the Storage probe');
  return { totalBytes: totalBytes!, fileBytes: fileBytes!, freeBytes: freeBytes!, trashBytes: trashBytes!, bootSize: bootSize!, stagedSize: stagedSize! };
}

/**
 * The drive the pen's factory identity (the `hw` file) names, as the firmware reads it
 * (firmware/src/app/identity.ts: anything but "stepper" is a voice-coil pen).
 */
export async function identityDrive(client: PenClient, timeoutMs = 2000): Promise<'voiceCoil' | 'stepper'> {
  const t = await client.evaluate('(function(){var h;try{h=JSON.parse(require("Storage").read("hw")||"{}")}catch(e){h={}}return [h&&h.variant=="stepper"?1:0]})()', timeoutMs);
  return numbers(t, 1, 'the identity read')[0] === 1 ? 'stepper' : 'voiceCoil';
}

/** Size and CRC-32 of a Storage file as the pen reads it back, or null if there is none. */
export async function fileCheck(client: PenClient, name: string, timeoutMs = 5000): Promise<{ size: number; crc: number } | null> {
  const t = await client.evaluate(`(function(){var f=require("Storage").read(${q(name)});return f===undefined?[-1,0]:[f.length,E.CRC32(f)>>>0]})()`, timeoutMs);
  const [size, crc] = numbers(t, 2, `the check of ${name}`);
  return size! < 0 ? null : { size: size!, crc: crc! };
}

export async function eraseFile(client: PenClient, name: string): Promise<void> {
  await client.evaluate(`require("Storage").erase(${q(name)})`);
}

/** Copy the staged file to .bootcde and read the copy back (one expression: no firmware callback runs in between). */
export async function promoteStaged(client: PenClient, timeoutMs = 10000): Promise<{ size: number; crc: number } | null> {
  const t = await client.evaluate(
    `(function(){var s=require("Storage");s.write(${q(BOOT_FILE)},s.read(${q(STAGED_FILE)}));var f=s.read(${q(BOOT_FILE)});` +
      'return f===undefined?[-1,0]:[f.length,E.CRC32(f)>>>0]})()',
    timeoutMs,
  );
  const [size, crc] = numbers(t, 2, 'the copy of the staged firmware');
  return size! < 0 ? null : { size: size!, crc: crc! };
}

/** Hard reset where the board has one (E.reboot), else reload from Storage; after the answer goes out. */
export const REBOOT_EXPR = 'setTimeout(function(){if(E.reboot)E.reboot();else load();},20)';

/**
 * Stop the running firmware for good: erase .bootcde (and a stale staged copy) and reset,
 * in one expression so the firmware runs nothing in between. The pen comes back as a bare
 * interpreter: drive pins at their reset state, no firmware touching Storage.
 */
export const ERASE_AND_REBOOT_EXPR =
  `(function(){var s=require("Storage");s.erase(${q(BOOT_FILE)});s.erase(${q(STAGED_FILE)});${REBOOT_EXPR}})()`;
