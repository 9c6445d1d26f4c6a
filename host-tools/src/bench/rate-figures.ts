// Stroke-rate error from the rig's stroke times (docs/benchmarks.md, "Speed"): the rate
// over windows of about 0.2 s, after the same settling allowance as depth, against the
// setpoint. Issue 4's budget: at most 0.5 %.
import { SETTLE_ALLOWANCE_STROKES } from './depth-figures';

/** Window length in seconds of nominal stroke time (10, 20, 30 strokes at 50, 100, 150 /s). */
export const RATE_WINDOW_S = 0.2;

/** Largest |rate − set| / set over the windows of both segments, %; null when no window fits. */
export function rateMaxErrPct(timesS: readonly number[], rate: number, beforeStep: number): number | null {
  const w = Math.max(2, Math.round(rate * RATE_WINDOW_S));
  let worst: number | null = null;
  for (const seg of [timesS.slice(0, beforeStep), timesS.slice(beforeStep)]) {
    const t = seg.slice(SETTLE_ALLOWANCE_STROKES);
    for (let i = 0; i + w < t.length; i += w) {
      const measured = w / (t[i + w]! - t[i]!);
      const e = (Math.abs(measured - rate) / rate) * 100;
      worst = worst === null ? e : Math.max(worst, e);
    }
  }
  return worst;
}
