// The depth loop's gains, derived from the identified actuator (never typed in).
//
// The firmware (firmware/src/control/voice-coil-depth.ts) corrects once per block of k
// strokes: e = set − measured, I += (ki/a)·e, u = u_ff + I + (kp/a)·e, with a the stroke
// model's mm per unit drive at the rate. A new drive acts on the block being sampled, but
// the stroke amplitude follows it with the actuator's envelope time constant 2m/c_tot, so
// the block's mean depth sees only a fraction λ of the change (the rest in the next
// block). In units of a, the per-block plant is
//     y[n+1] = ρ·(λ·u[n] + (1 − λ)·u[n−1])
// where ρ is the actual slope over the model's (skin resists: < 1; model error ±10 %).
// The closed loop's characteristic polynomial is
//     z³ − z² + ρ(λz + 1 − λ)((kp + ki)z − kp)
// and kp, ki are chosen on a grid to minimise its largest root magnitude (the per-block
// contraction of the depth error) over every rate's λ and ρ ∈ RHO_RANGE.
import type { ActuatorModel } from './actuator-model';
import { simulateStrokes } from './stroke-simulation';
// the firmware's own block length (a copy here went stale once the firmware's changed)
import { strokesPerBlock } from '@stipple/firmware/control/block-analysis';

/** Slope of depth vs drive relative to the in-air model: scar tissue (~0.8) with a 25 % margin, up to model error +10 %. */
export const RHO_RANGE = [0.6, 0.8, 1.0, 1.1];

export interface GainDerivation {
  kp: number;
  ki: number;
  /** largest closed-loop root magnitude at the design corners: the depth error shrinks by this per block */
  contraction: number;
  /** per rate: the fraction of a drive change seen in the first block */
  lambda: { rate: number; lambda: number }[];
  rho: number[];
}

/** Fraction of a drive step the first control block's mean depth shows, from simulated strokes. */
export function firstBlockFraction(a: ActuatorModel, rate: number, push: number, volts: number): number {
  const k = strokesPerBlock(rate, true);
  const before = 20;
  const base = simulateStrokes(a, { rate, push, duty: 0.3, volts, strokes: before + 2 * k });
  const step = simulateStrokes(a, { rate, push, duty: 0.3, volts, strokes: before + 2 * k, changeAt: before, dutyAfter: 0.33 });
  const final = step[step.length - 1] - base[base.length - 1];
  let seen = 0;
  for (let j = 0; j < k; j++) seen += step[before + j] - base[before + j];
  return Math.max(0, Math.min(1, seen / k / final));
}

export function deriveGains(a: ActuatorModel, rates: readonly number[], push: number, volts: number): GainDerivation {
  const lambda = rates.map((rate) => ({ rate, lambda: firstBlockFraction(a, rate, push, volts) }));
  let best = { kp: 0, ki: 0, contraction: Infinity };
  for (let kp = 0; kp <= 1.0001; kp += 0.02) {
    for (let ki = 0.02; ki <= 1.5001; ki += 0.02) {
      let worst = 0;
      for (const { lambda: lam } of lambda) {
        for (const rho of RHO_RANGE) {
          worst = Math.max(worst, spectralRadius(kp, ki, rho, lam));
          if (worst >= best.contraction) break;
        }
        if (worst >= best.contraction) break;
      }
      if (worst < best.contraction) best = { kp, ki, contraction: worst };
    }
  }
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  return { kp: r2(best.kp), ki: r2(best.ki), contraction: best.contraction, lambda, rho: RHO_RANGE };
}

/** Largest root magnitude of z³ + (ρλg − 1)z² + ρ((1−λ)g − λkp)z − ρ(1−λ)kp, g = kp + ki. */
export function spectralRadius(kp: number, ki: number, rho: number, lam: number): number {
  const g = kp + ki;
  const c2 = rho * lam * g - 1;
  const c1 = rho * ((1 - lam) * g - lam * kp);
  const c0 = -rho * (1 - lam) * kp;
  return Math.max(...cubicRoots(c2, c1, c0).map((r) => Math.hypot(r[0], r[1])));
}

/** Roots of z³ + c2·z² + c1·z + c0 (Durand–Kerner), as [re, im]. */
export function cubicRoots(c2: number, c1: number, c0: number): [number, number][] {
  let z: [number, number][] = [[0.4, 0.9], [-0.65, 0.72], [0.9, -0.4]];
  const f = (re: number, im: number): [number, number] => {
    // ((z + c2)·z + c1)·z + c0
    let ar = re + c2;
    let ai = im;
    [ar, ai] = [ar * re - ai * im + c1, ar * im + ai * re];
    return [ar * re - ai * im + c0, ar * im + ai * re];
  };
  for (let it = 0; it < 200; it++) {
    let moved = 0;
    z = z.map((zi, i) => {
      let dr = 1;
      let di = 0;
      z.forEach((zj, j) => {
        if (j === i) return;
        const er = zi[0] - zj[0];
        const ei = zi[1] - zj[1];
        [dr, di] = [dr * er - di * ei, dr * ei + di * er];
      });
      const [fr, fi] = f(zi[0], zi[1]);
      const den = dr * dr + di * di || 1e-300;
      const qr = (fr * dr + fi * di) / den;
      const qi = (fi * dr - fr * di) / den;
      moved = Math.max(moved, Math.hypot(qr, qi));
      return [zi[0] - qr, zi[1] - qi];
    });
    if (moved < 1e-12) break;
  }
  return z;
}
