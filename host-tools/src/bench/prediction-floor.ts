// What a controller that decides between strokes cannot remove: the part of a run's
// open-loop depth error that the run's own earlier strokes do not predict.
//
// With the loop open the drive is constant, so the open-loop error series is the
// disturbance alone (hand wobble, tissue patchiness and drift, the stiffness step). A
// controller that acts on measured strokes can cancel, at best, what is predictable from
// strokes it has already measured. The floor fits, per run, the least-squares linear
// predictor of each stroke's error from the FLOOR_TAPS errors ending `lag` strokes earlier
// (plus a constant), and reports the residuals over the strokes the budget counts.
//
// It is an estimate, stated as such in docs/benchmarks.md: optimistic in that the predictor
// is fitted to the very run it predicts (in-sample), with the true depths a gauge sees rather
// than the pen's noisier Hall readings, and assumes the pen adds its corrections linearly and
// at once; it does not bound a controller that predicts from something other than past depths
// (e.g. a sensor that saw the skin surface move).
import { solveLeastSquares } from '../calibration/least-squares';
import { noErrors } from './depth-figures';
import type { ErrorSums } from './depth-figures';

/** Past errors the predictor may use (a 5 Hz wobble at 50 /s has a 10-stroke period). */
export const FLOOR_TAPS = 12;

/**
 * Residual of the best linear prediction of `err[k]` from `err[k − lag(k) − j]`, j = 0 … FLOOR_TAPS − 1,
 * over the strokes `counted(k)` says the budget counts (k without that much history are left out).
 * One predictor is fitted per distinct lag (a per-block controller knows more of a block's first
 * stroke's past than of its last one's).
 */
export function predictionFloor(err: readonly number[], lag: (k: number) => number, counted: (k: number) => boolean): ErrorSums {
  const byLag = new Map<number, number[]>();
  for (let k = 0; k < err.length; k++) {
    if (!counted(k)) continue;
    const l = lag(k);
    if (k - l - (FLOOR_TAPS - 1) < 0) continue;
    const ks = byLag.get(l) ?? [];
    ks.push(k);
    byLag.set(l, ks);
  }
  const out = noErrors();
  for (const [l, ks] of byLag) {
    const row = (k: number): number[] => {
      const x = [1];
      for (let j = 0; j < FLOOR_TAPS; j++) x.push(err[k - l - j]!);
      return x;
    };
    const w = leastSquares(ks.map(row), ks.map((k) => err[k]!));
    for (const k of ks) {
      const x = row(k);
      let y = 0;
      for (let i = 0; i < x.length; i++) y += w[i]! * x[i]!;
      const r = err[k]! - y;
      out.n++;
      out.sumSqUm2 += r * r;
      out.maxAbsUm = Math.max(out.maxAbsUm, Math.abs(r));
    }
  }
  out.maxAbsUm = Math.round(out.maxAbsUm);
  return out;
}

/**
 * w minimising |X·w − y|² (calibration/least-squares.ts). A ridge of 1e-9 of the normal
 * matrix's mean diagonal keeps a constant series (a stepper's open loop) solvable; too few rows
 * for the taps gives the plain mean (w = [mean, 0, …]).
 */
export function leastSquares(x: readonly number[][], y: readonly number[]): number[] {
  const n = x[0]?.length ?? 0;
  if (x.length <= n) {
    const w = new Array<number>(n).fill(0);
    if (n) w[0] = y.reduce((a, b) => a + b, 0) / Math.max(1, y.length);
    return w;
  }
  return solveLeastSquares(x, y, 1e-9);
}
