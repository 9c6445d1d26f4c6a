// Turns one block of Hall samples (a few strokes, sampled by the Waveform hardware)
// into bottom-of-stroke protrusion, per stroke and for the block. Uses native
// built-ins only (Math.max.apply, indexOf, subarray): no per-sample JavaScript on the
// device, a few statements per stroke.
import { HallCalibration } from './calibration';

export interface BlockResult {
  /** deepest bottom-of-stroke protrusion in the block, mm, sub-sample refined (safety checks) */
  peakMm: number;
  /** mean of the strokes' bottom-of-stroke protrusion, mm (the controlled quantity) */
  meanMm: number;
  /** bottom-of-stroke protrusion of each stroke, mm (first `strokes` entries valid) */
  strokeMm: number[];
  /** strokes in this block */
  strokes: number;
  /** shallowest position in the block, mm (the needle's retracted end of stroke) */
  troughMm: number;
  /** raw extremes (0..65535) for sensor plausibility checks */
  rawMax: number;
  rawMin: number;
}

export function newBlockResult(): BlockResult {
  return { peakMm: 0, meanMm: 0, strokeMm: [0, 0, 0, 0], strokes: 0, troughMm: 0, rawMax: 0, rawMin: 0 };
}

/**
 * Raw peak of buf[from, to) with a 3-point parabolic refinement around the highest
 * sample (the stroke bottom is smooth, so this removes most of the sampling-phase error).
 */
function refinedPeak(buf: Uint16Array, from: number, to: number): number {
  const seg = buf.subarray(from, to);
  const max = Math.max.apply(null, seg as any);
  const i = from + seg.indexOf(max);
  const n = buf.length;
  const left = buf[i > 0 ? i - 1 : n - 1];
  const right = buf[i < n - 1 ? i + 1 : 0];
  const curv = left - 2 * max + right;
  return curv < 0 ? max - ((right - left) * (right - left)) / (8 * curv) : max;
}

/**
 * Analyse a block of `k` strokes. The block spans exactly k stroke periods, so each
 * k-th of it holds one stroke bottom (a bottom that falls on a segment edge is found
 * in one of the two neighbours: the parabola uses samples across the edge).
 */
export function analyseBlock(buf: Uint16Array, hall: HallCalibration, k: number, out: BlockResult): BlockResult {
  const n = buf.length;
  const s = n / k;
  const off = hall.offset;
  const g = hall.mmPerUnit / 65535;
  let sum = 0;
  let deepest = 0;
  for (let j = 0; j < k; j++) {
    const p = refinedPeak(buf, Math.round(j * s), Math.round((j + 1) * s));
    if (p > deepest) deepest = p;
    const mm = (p - off * 65535) * g;
    out.strokeMm[j] = mm;
    sum += mm;
  }
  const min = Math.min.apply(null, buf as any);
  out.strokes = k;
  out.rawMax = Math.max.apply(null, buf as any);
  out.rawMin = min;
  out.peakMm = (deepest - off * 65535) * g;
  out.meanMm = sum / k;
  out.troughMm = (min - off * 65535) * g;
  return out;
}

/** Strokes per analysis block at a stroke rate: blocks of about 30 ms. */
export function strokesPerBlock(rate: number): number {
  return rate < 75 ? 2 : rate < 125 ? 3 : 4;
}

/** Samples per block are fixed (buffers are allocated once at boot). */
export const SAMPLES_PER_BLOCK = 96;
