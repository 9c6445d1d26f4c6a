// The force constant from back-EMF. During a captured stroke the coil sees the bridge's
// voltage u (D·V during the push, 0 while braking), and
//     u − R·i = kf·v + L·di/dt
// with v the needle velocity from the Hall capture and i the coil current from a current
// capture of the same stroke. kf (V·s/m = N/A) comes out free of the current sense's gain:
// its error cancels against the R measured through the same sense. R is the loop
// resistance at the coil's temperature during that stroke (the coil warms while it
// strokes: copper gains 0.39 %/K, and a 2 K error in R is ~0.5 % in kf). The stroke
// clock's phase in the captures is found from the data (where the push edges fit best).
import { harmonics, synthesize } from './fourier';
import { solveLeastSquares } from './least-squares';

export interface BackEmfStroke {
  /** needle position per sample, mm (one stroke period) */
  xMm: readonly number[];
  /** coil current per sample, A (same stroke phase as xMm) */
  amps: readonly number[];
  duty: number;
  /** strokes/s */
  rate: number;
  /** coil + bridge resistance during this stroke, Ω */
  rOhm: number;
}

export interface BackEmfInput {
  strokes: readonly BackEmfStroke[];
  /** push fraction of the stroke clock */
  push: number;
  /** open-circuit supply, V, and battery internal resistance, Ω (supply sag during the push) */
  v0: number;
  rBatteryOhm: number;
}

export interface BackEmfFit {
  /** force constant, N/A */
  kf: number;
  /** coil inductance, H */
  lH: number;
  /** stroke-clock phase offset of the captures, samples (0 = first sample one period after the push edge) */
  phaseSamples: number;
  /** rms of the equation residual, V */
  rmsV: number;
}

/** Samples this close to a push edge are left out (the current jumps there), samples. */
const EDGE_GUARD = 3;

export function fitBackEmf(o: BackEmfInput): BackEmfFit {
  const prepared = o.strokes.map((st) => {
    const n = st.xMm.length;
    if (st.amps.length !== n) throw new Error('back-EMF fit: the Hall and current captures differ in length');
    const fs = n * st.rate;
    const v = synthesize(harmonics(st.xMm, Math.min(15, Math.floor(n / 4))), n, 2 * Math.PI * st.rate, 1).map((mmps) => mmps / 1000);
    const di = st.amps.map((_, j) => ((st.amps[(j + 1) % n] - st.amps[(j + n - 1) % n]) * fs) / 2);
    return { n, v, di, st };
  });
  let best: BackEmfFit | undefined;
  for (let s = -3; s <= 3.0001; s += 0.25) {
    const rows: number[][] = [];
    const rhs: number[] = [];
    for (const { n, v, di, st } of prepared) {
      for (let j = 0; j < n; j++) {
        const ph = ((((j + 1 + s) / n) % 1) + 1) % 1;
        const dEdge = Math.min(ph, 1 - ph, Math.abs(ph - o.push)) * n;
        if (dEdge < EDGE_GUARD) continue;
        const on = ph < o.push;
        const volts = on ? st.duty * (o.v0 - o.rBatteryOhm * st.duty * st.amps[j]) : 0;
        rows.push([v[j], di[j]]);
        rhs.push(volts - st.rOhm * st.amps[j]);
      }
    }
    const [kf, lH] = solveLeastSquares(rows, rhs);
    let ss = 0;
    for (let r = 0; r < rows.length; r++) ss += (rhs[r] - kf * rows[r][0] - lH * rows[r][1]) ** 2;
    const rmsV = Math.sqrt(ss / rows.length);
    if (!best || rmsV < best.rmsV) best = { kf, lH, phaseSamples: s, rmsV };
  }
  return best!;
}
