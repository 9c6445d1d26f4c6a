// Stroke-rate error from the rig's stroke times (docs/benchmarks.md, "Speed"): the rate
// over windows of 0.5 s after the same settling allowance as depth, each the least-squares
// slope of stroke number against bottom-of-stroke time (so the jitter of where in its cycle
// a stroke bottoms, which wobble and tissue move, averages out instead of landing on two
// window ends), against the setpoint. Issue 4's budget: at most 0.5 %.
import { SETTLE_ALLOWANCE_STROKES } from './depth-figures';

/** Window length, seconds of nominal stroke time (25, 50, 75 strokes at 50, 100, 150 /s); a shorter segment is one window. */
export const RATE_WINDOW_S = 0.5;
/** Fewer strokes than this make no window. */
const MIN_WINDOW_STROKES = 5;

/** Largest |rate − set| / set over the windows of both segments, %; null when no window fits. */
export function rateMaxErrPct(timesS: readonly number[], rate: number, beforeStep: number): number | null {
  const w = Math.max(MIN_WINDOW_STROKES, Math.round(rate * RATE_WINDOW_S));
  let worst: number | null = null;
  for (const seg of [timesS.slice(0, beforeStep), timesS.slice(beforeStep)]) {
    const t = seg.slice(SETTLE_ALLOWANCE_STROKES);
    const windows = t.length >= w ? Math.floor(t.length / w) : t.length >= MIN_WINDOW_STROKES ? 1 : 0;
    const len = t.length >= w ? w : t.length;
    for (let k = 0; k < windows; k++) {
      const e = (Math.abs(strokesPerSecond(t.slice(k * len, (k + 1) * len)) - rate) / rate) * 100;
      worst = worst === null ? e : Math.max(worst, e);
    }
  }
  return worst;
}

/** Least-squares slope of stroke index over time. */
function strokesPerSecond(t: readonly number[]): number {
  const n = t.length;
  const tm = t.reduce((a, x) => a + x, 0) / n;
  const im = (n - 1) / 2;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (t[i]! - tm) * (i - im);
    den += (t[i]! - tm) ** 2;
  }
  return num / den;
}
