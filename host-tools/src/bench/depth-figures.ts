// Depth-accuracy figures from a run's per-stroke depths (docs/benchmarks.md, "Depth"):
// errors against the setpoint after settling, and how many strokes settling took.
// Issue 4's budget: after at most 5 strokes of settling (after the start and after the
// stiffness step), RMS ≤ 20 µm and the worst stroke ≤ 50 µm.

/** Strokes left out after the start and after the stiffness step (the budget's settling allowance). */
export const SETTLE_ALLOWANCE_STROKES = 5;
/** A stroke is "within tolerance" when its error is at most the budget's worst-stroke bound, µm. */
export const SETTLE_TOLERANCE_UM = 50;
/** Settled: this many consecutive strokes within tolerance (or all that remain of the segment). */
export const SETTLE_HOLD_STROKES = 10;

/** Sums over a set of strokes, so figures combine exactly over runs and the whole matrix. */
export interface ErrorSums {
  n: number;
  sumSqUm2: number;
  maxAbsUm: number;
}

export interface DepthSummary extends ErrorSums {
  /** strokes until within tolerance after the start, and after the stiffness step (null: never) */
  settleStart: number | null;
  settleStep: number | null;
  /** strokes before and after the stiffness step */
  segmentStrokes: [number, number];
}

export const noErrors = (): ErrorSums => ({ n: 0, sumSqUm2: 0, maxAbsUm: 0 });

export function addErrors(a: ErrorSums, b: ErrorSums): ErrorSums {
  return { n: a.n + b.n, sumSqUm2: a.sumSqUm2 + b.sumSqUm2, maxAbsUm: Math.max(a.maxAbsUm, b.maxAbsUm) };
}

export function rmsOf(s: ErrorSums): number | null {
  return s.n > 0 ? Math.sqrt(s.sumSqUm2 / s.n) : null;
}

/**
 * Figures of one run: `depthsUm` per stroke in order, the first `beforeStep` before the
 * stiffness step. Errors are depth − setpoint.
 */
export function depthSummary(depthsUm: readonly number[], setUm: number, beforeStep: number): DepthSummary {
  const err = depthsUm.map((d) => d - setUm);
  const segA = err.slice(0, beforeStep);
  const segB = err.slice(beforeStep);
  const sums = noErrors();
  for (const seg of [segA, segB]) {
    for (const e of seg.slice(SETTLE_ALLOWANCE_STROKES)) {
      sums.n++;
      sums.sumSqUm2 += e * e;
      sums.maxAbsUm = Math.max(sums.maxAbsUm, Math.abs(e));
    }
  }
  return { ...sums, settleStart: settleStrokes(segA), settleStep: settleStrokes(segB), segmentStrokes: [segA.length, segB.length] };
}

/** Strokes before the first run of SETTLE_HOLD_STROKES strokes within tolerance (shorter at the segment's end); null if none. */
export function settleStrokes(err: readonly number[]): number | null {
  for (let k = 0; k < err.length; k++) {
    const hold = Math.min(SETTLE_HOLD_STROKES, err.length - k);
    let ok = true;
    for (let j = k; j < k + hold && ok; j++) ok = Math.abs(err[j]!) <= SETTLE_TOLERANCE_UM;
    if (ok) return k;
  }
  return null;
}
