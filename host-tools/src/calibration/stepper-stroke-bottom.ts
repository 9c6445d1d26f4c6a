// The bottom of one captured cam stroke (stepper), in raw Hall units: a least-squares
// parabola through the samples within ±22.5° of stroke phase around the highest one. Over
// that arc the cam's cosine-like bottom differs from a parabola by under 1 µm, and a
// dozen samples average the sensor noise down where the firmware's three-point peak
// (firmware/src/control/block-analysis.ts) uses three. The fit's residuals are the
// sensor's noise (the stroke is smooth there), pooled over the captures for the noise check.
import { solveLeastSquares } from './least-squares';

/** Half-width of the fitted arc, fraction of a stroke period (±22.5° of stroke phase). */
const ARC = 1 / 16;

export interface StrokeBottom {
  /** sub-sample bottom of stroke, raw 0..65535 */
  raw: number;
  /** sample index of the bottom (fractional) */
  at: number;
  /** sum of squared residuals of the parabola, raw², and its degrees of freedom */
  ssr: number;
  dof: number;
}

export function strokeBottom(samples: readonly number[]): StrokeBottom {
  const n = samples.length;
  let i = 0;
  for (let j = 1; j < n; j++) if (samples[j] > samples[i]) i = j;
  const h = Math.max(2, Math.round(n * ARC));
  const rows: number[][] = [];
  const ys: number[] = [];
  // the capture is one period of a periodic stroke: the arc wraps around its ends
  for (let d = -h; d <= h; d++) {
    rows.push([1, d, d * d]);
    ys.push(samples[(((i + d) % n) + n) % n]);
  }
  const [a, b, c] = solveLeastSquares(rows, ys);
  let ssr = 0;
  rows.forEach((r, k) => {
    ssr += (ys[k] - (a + b * r[1] + c * r[2])) ** 2;
  });
  // a bottom: curving down, its vertex within the arc; otherwise the highest sample stands
  const v = c < 0 ? -b / (2 * c) : 0;
  const inArc = c < 0 && Math.abs(v) <= h;
  return { raw: inArc ? a + b * v + c * v * v : samples[i], at: i + (inArc ? v : 0), ssr, dof: rows.length - 3 };
}
