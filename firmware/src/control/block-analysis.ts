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
  /**
   * how far each stroke's deepest sample stands above the mean of its two neighbours, raw
   * units, averaged over the block: the bottom of a stroke is smooth (≤ 0.010 FS over the
   * accuracy matrix), noise on the Hall signal makes it a spike (sensor plausibility)
   */
  sharpRaw: number;
}

export function newBlockResult(): BlockResult {
  return { peakMm: 0, meanMm: 0, strokeMm: [0, 0, 0, 0], strokes: 0, troughMm: 0, rawMax: 0, rawMin: 0, sharpRaw: 0 };
}

/** Highest raw sample of the last segment refinedPeak looked at (the block's raw maximum is the largest of these). */
let segMax = 0;
/** and how far it stood above the mean of its neighbours */
let segSharp = 0;

/**
 * Most a stroke's bottom is refined above its highest sample, raw units (0.003 FS, ≈ 17 µm).
 * A real bottom sampled half a sample off its vertex gains a quarter of its curvature: at most
 * ≈ 150 units over the accuracy matrix (50–150 strokes/s, 0.5–1.5 mm, soft to scar skin).
 */
const REFINE_CAP = 197;

/**
 * Raw peak of buf[from, to) with a 3-point parabolic refinement around the highest
 * sample (the stroke bottom is smooth, so this removes most of the sampling-phase error).
 * Only a true local maximum is refined, and by at most REFINE_CAP: a segment that ends on a
 * stroke's rising flank (a block that does not hold whole strokes, e.g. the stroke rate
 * changed under the sampling) or a neighbour from an unrelated part of the block (the
 * wrap-around at its ends) must not throw the vertex beyond the samples: that once read
 * 2.265 mm for a 1.53 mm stroke and latched DEPTH_LIMIT. The result is never below the
 * highest sample, so a real deep stroke is never under-read.
 */
function refinedPeak(buf: Uint16Array, from: number, to: number): number {
  const seg = buf.subarray(from, to);
  const max = Math.max.apply(null, seg as any);
  segMax = max;
  const i = from + seg.indexOf(max);
  const n = buf.length;
  const left = buf[i > 0 ? i - 1 : n - 1];
  const right = buf[i < n - 1 ? i + 1 : 0];
  const curv = left - 2 * max + right;
  segSharp = -curv / 2;
  if (!(curv < 0) || left > max || right > max) return max;
  const up = ((right - left) * (right - left)) / (-8 * curv);
  return max + (up < REFINE_CAP ? up : REFINE_CAP);
}

/**
 * Analyse a block of `k` strokes. The block spans exactly k stroke periods, so each
 * k-th of it holds one stroke bottom (a bottom that falls on a segment edge is found
 * in one of the two neighbours: the parabola uses samples across the edge).
 * One native max per stroke and one native min per block: the segments cover the
 * whole block, so the block's raw maximum comes from them, not from another pass.
 */
export function analyseBlock(buf: Uint16Array, hall: HallCalibration, k: number, out: BlockResult): BlockResult {
  const s = buf.length / k;
  const zero = hall.offset * 65535;
  const g = hall.mmPerUnit / 65535;
  let sum = 0;
  let peak = -Infinity;
  let rawMax = 0;
  let sharp = 0;
  for (let j = 0; j < k; j++) {
    const mm = (refinedPeak(buf, Math.round(j * s), Math.round((j + 1) * s)) - zero) * g;
    if (segMax > rawMax) rawMax = segMax;
    sharp += segSharp;
    if (mm > peak) peak = mm;
    out.strokeMm[j] = mm;
    sum += mm;
  }
  const min = Math.min.apply(null, buf as any);
  out.strokes = k;
  out.rawMax = rawMax;
  out.rawMin = min;
  out.peakMm = peak;
  out.meanMm = sum / k;
  out.troughMm = (min - zero) * g;
  out.sharpRaw = sharp / k;
  return out;
}

/** Strokes per analysis block at a stroke rate: blocks of about 30 ms. */
export function strokesPerBlock(rate: number): number {
  return rate < 75 ? 2 : rate < 125 ? 3 : 4;
}

/** Samples per block are fixed (buffers are allocated once at boot). */
export const SAMPLES_PER_BLOCK = 96;
