// Turns one block of Hall samples (a few strokes, sampled by the Waveform hardware)
// into bottom-of-stroke protrusion. Uses native built-ins only (Math.max.apply,
// indexOf): no per-sample JavaScript on the device.
import { HallCalibration } from './calibration';

export interface BlockResult {
  /** deepest bottom-of-stroke protrusion in the block, mm, sub-sample refined */
  peakMm: number;
  /** shallowest position in the block, mm (the needle's retracted end of stroke) */
  troughMm: number;
  /** raw extremes (0..65535) for sensor plausibility checks */
  rawMax: number;
  rawMin: number;
}

/**
 * Peak of the block with a 3-point parabolic refinement around the highest sample
 * (the stroke bottom is smooth, so this removes most of the sampling-phase error).
 */
export function analyseBlock(buf: Uint16Array, hall: HallCalibration, out: BlockResult): BlockResult {
  const max = Math.max.apply(null, buf as any);
  const min = Math.min.apply(null, buf as any);
  const i = buf.indexOf(max);
  const n = buf.length;
  const left = buf[i > 0 ? i - 1 : n - 1];
  const right = buf[i < n - 1 ? i + 1 : 0];
  const curv = left - 2 * max + right;
  let peak = max;
  if (curv < 0) peak = max - ((right - left) * (right - left)) / (8 * curv);
  out.rawMax = max;
  out.rawMin = min;
  out.peakMm = (peak / 65535 - hall.offset) * hall.mmPerUnit;
  out.troughMm = (min / 65535 - hall.offset) * hall.mmPerUnit;
  return out;
}

/** Strokes per analysis block at a stroke rate: blocks of about 30 ms. */
export function strokesPerBlock(rate: number): number {
  return rate < 75 ? 2 : rate < 125 ? 3 : 4;
}

/** Samples per block are fixed (buffers are allocated once at boot). */
export const SAMPLES_PER_BLOCK = 96;
