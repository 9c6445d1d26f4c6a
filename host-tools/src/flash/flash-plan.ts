// Where a new firmware goes in the pen's Storage. Espruino has no rename, so "upload to a
// temporary name, verify, swap" needs room for two copies: the staged one and the final
// .bootcde written from it, both at the free end of the Storage log (a compaction would
// move the flash the running firmware executes from). A Pico's 48 KB cannot hold two
// ~42 KB bundles, so there the old firmware is erased and the new one uploaded straight
// to .bootcde on a bare interpreter (see docs/flashing.md for the trade-off).

/** Espruino Storage: a 32-byte header per file, data padded to 4 bytes. */
export const FILE_HEADER = 32;

/** Flash taken by a file of `size` bytes (0 for none, size < 0). */
export function fileCost(size: number): number {
  return size < 0 ? 0 : FILE_HEADER + ((size + 3) & ~3);
}

/** What the pen reports about its Storage (Storage.getStats and the two firmware files). */
export interface StorageProbe {
  totalBytes: number;
  /** Live files, headers included. */
  fileBytes: number;
  /** Erased space at the end of the log. */
  freeBytes: number;
  trashBytes: number;
  /** Size of .bootcde, -1 if none. */
  bootSize: number;
  /** Size of a staged copy left by an earlier flash, -1 if none. */
  stagedSize: number;
}

/** Room kept for the firmware's own records (settings, counters, calibration and its backup). */
export const RECORD_MARGIN = 2048;

/**
 * Storage a calibrated pen's own files take (the identity and two slots of each record), as
 * measured on the virtual board: 1,340 B on a voice-coil pen, 1,188 B on a stepper pen
 * (`npx jest hil-tests/test/firmware-on-virtual-board.test.ts`: files minus the bundle). A pen
 * flashed before it is calibrated has fewer; the plan keeps room for the rest, or a bundle
 * that fits a fresh pen would leave a calibrated one no room for its records.
 */
export const CALIBRATED_PEN_FILES = 1400;

export type FlashPlan =
  | { scheme: 'staged' | 'direct'; need: number; room: number }
  | { scheme: 'none'; need: number; room: number; why: string };

export function planFlash(p: StorageProbe, size: number, margin = RECORD_MARGIN): FlashPlan {
  const need = fileCost(size);
  const others = p.fileBytes - fileCost(p.bootSize) - fileCost(p.stagedSize);
  const room = p.totalBytes - others;
  // the records the pen does not have yet (not calibrated, or a fresh board) will need room too
  const toCome = Math.max(0, CALIBRATED_PEN_FILES - others);
  if (room < need + margin + toCome) {
    return {
      scheme: 'none', need, room,
      why: `the bundle needs ${need} B of Storage plus ${margin} B for the pen's records${toCome ? ` and ${toCome} B for the records a calibrated pen keeps, which this one has not written yet` : ''}, but the pen has ${room} B besides its other files (${p.totalBytes} B in all)`,
    };
  }
  if (p.freeBytes >= 2 * need + margin) return { scheme: 'staged', need, room };
  return { scheme: 'direct', need, room };
}
