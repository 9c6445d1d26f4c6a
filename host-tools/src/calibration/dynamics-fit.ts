// Moving mass, damping, spring rate and friction of the needle from captured strokes:
// an output-error fit, harmonic by harmonic, of
//     m·ẍ + c·ẋ + k·x + F_c·s(ẋ) = kf·i(t − τ)
// to the measured position x (the noise is in x, so the fit compares positions, not noisy
// accelerations). s(v) = v/(|v| + 1 mm/s) is smoothed Coulomb friction, τ a small skew
// between the current and Hall channels. The force comes from the measured current and
// the back-EMF kf, so m, c and k carry the current sense's gain tolerance (±2 %).
import { cdiv, cexpi, cmul, harmonics, synthesize } from './fourier';
import type { Complex } from './fourier';
import { levenbergMarquardt } from './levenberg-marquardt';

export interface StrokeSeries {
  xMm: readonly number[];
  amps: readonly number[];
  /** strokes/s */
  rate: number;
}

export interface DynamicsInput {
  /** one or more captured strokes (at different drives: friction and damping separate by amplitude; near the resonance the damping sets amplitude and phase) */
  strokes: readonly StrokeSeries[];
  /** force constant, N/A */
  kf: number;
  /** starting guess of the spring rate, N/mm (from the holds) */
  kStartNPerMm: number;
  /** hold the spring rate at this value, N/mm (fit m, c, friction and skew only) */
  kFixedNPerMm?: number;
}

export interface DynamicsFit {
  mG: number;
  cNsPerM: number;
  kNPerMm: number;
  frictionN: number;
  skewUs: number;
  /** rms of measured − model position over all strokes, µm */
  rmsUm: number;
  /** the model's position per sample of each stroke, mm (for the certificate's plot) */
  modelMm: number[][];
  harmonicsUsed: number;
}

const FRICTION_SMOOTH_MPS = 1e-3;

interface Spectra {
  n: number;
  /** fundamental angular frequency, rad/s */
  w: number;
  X: Complex[];
  I: Complex[];
  S: Complex[];
}

export function fitDynamics(o: DynamicsInput): DynamicsFit {
  const K = Math.min(30, Math.floor(Math.min(...o.strokes.map((s) => s.xMm.length)) / 2) - 1);
  const spectra: Spectra[] = o.strokes.map((st) => {
    const n = st.xMm.length;
    const w = 2 * Math.PI * st.rate;
    const X = harmonics(st.xMm.map((mm) => mm / 1000), K);
    const I = harmonics(st.amps, K);
    // friction regressor: harmonics of s(v), v from the smooth low harmonics of x
    const v = synthesize(X.slice(0, Math.min(13, K + 1)), n, w, 1);
    const S = harmonics(v.map((x) => x / (Math.abs(x) + FRICTION_SMOOTH_MPS)), K);
    return { n, w, X, I, S };
  });
  // scaled parameters: m [g], c [N·s/m], k [N/mm], F_c [cN], τ [10 µs]
  const kFixed = o.kFixedNPerMm;
  const predict = (p: number[], sp: Spectra, k: number): Complex => {
    const m = p[0] / 1000;
    const c = p[1];
    const ks = (kFixed ?? p[2]) * 1000;
    const fc = p[3] / 100;
    const tau = p[4] * 1e-5;
    const s = k * sp.w;
    const force = cmul({ re: o.kf * sp.I[k].re, im: o.kf * sp.I[k].im }, cexpi(-s * tau));
    const num = { re: force.re - fc * sp.S[k].re, im: force.im - fc * sp.S[k].im };
    return cdiv(num, { re: ks - m * s * s, im: c * s });
  };
  const residuals = (p: number[]): number[] => {
    const r: number[] = [];
    for (const sp of spectra) {
      for (let k = 1; k <= K; k++) {
        const pr = predict(p, sp, k);
        r.push((pr.re - sp.X[k].re) * 1e6, (pr.im - sp.X[k].im) * 1e6);
      }
    }
    return r;
  };
  // the channel skew makes the cost multi-modal: start from a few skews, keep the best
  let fit = levenbergMarquardt(residuals, [3, 0.3, o.kStartNPerMm, 2, 0], { maxIterations: 200 });
  for (const skew of [-6, -3, 3]) {
    const f = levenbergMarquardt(residuals, [3, 0.3, o.kStartNPerMm, 2, skew], { maxIterations: 200 });
    if (f.cost < fit.cost) fit = f;
  }
  const p = fit.params;
  let ss = 0;
  let count = 0;
  const modelMm = spectra.map((sp, i) => {
    const model = [sp.X[0], ...Array.from({ length: K }, (_, k) => predict(p, sp, k + 1))];
    const mm = synthesize(model, sp.n).map((m) => m * 1000);
    for (let j = 0; j < sp.n; j++) ss += (mm[j] - o.strokes[i].xMm[j]) ** 2;
    count += sp.n;
    return mm;
  });
  return {
    mG: p[0], cNsPerM: p[1], kNPerMm: p[2], frictionN: p[3] / 100, skewUs: p[4] * 10,
    rmsUm: Math.sqrt(ss / count) * 1000, modelMm, harmonicsUsed: K,
  };
}
