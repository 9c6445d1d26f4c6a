// The depth loop's gains (host-tools/src/calibration/gains.ts) against the controller they
// are for. The derivation's closed-loop polynomial must predict how fast the firmware's
// per-block update law (docs/control.md, firmware/src/control/voice-coil-depth.ts) shrinks
// a depth error; here that law is simulated block by block, independently of the algebra.
import { deriveGains, firstBlockFraction, spectralRadius } from '@stipple/host-tools/calibration/gains';
import type { ActuatorModel } from '@stipple/host-tools/calibration/actuator-model';

/**
 * The loop in units of the model's mm per drive: each block the pen measures y (mean depth
 * of the block's strokes), e = set − y, I += ki·e, u = u_ff + I + kp·e; the next block's
 * strokes show λ of the new drive and 1 − λ of the previous one, times ρ (skin, model error).
 * Returns the per-block decay rate of the error, measured from the simulated sequence.
 */
function simulatedDecay(kp: number, ki: number, rho: number, lam: number): number {
  // deviations from the operating point (setpoint, feed-forward and the learned integral at
  // rest are all 0 here): the law is linear, so this is the same loop without rounding at 1 − y
  const set = 0;
  let integ = 0;
  let u = 0;
  let uPrev = 0;
  let y = 0.5; // a depth error to start from
  const err: number[] = [];
  for (let n = 0; n < 200; n++) {
    const e = set - y;
    err.push(Math.abs(e));
    integ += ki * e;
    uPrev = u;
    u = integ + kp * e;
    y = rho * (lam * u + (1 - lam) * uPrev);
  }
  // the envelope of |e| over two windows 100 blocks apart, once the slowest mode dominates
  // (oscillating errors pass through 0, hence a window)
  const env = (a: number): number => Math.max(...err.slice(a, a + 8));
  return Math.pow(env(190) / env(90), 1 / 100);
}

test('the closed-loop polynomial predicts the per-block update law\'s decay at every design corner and beyond', () => {
  for (const [kp, ki] of [[0, 1.18], [0.05, 0.7], [0.2, 0.9], [0.1, 0.4]]) {
    for (const rho of [0.6, 0.8, 1.0, 1.1]) {
      for (const lam of [1, 0.9, 0.75, 0.5]) {
        const predicted = spectralRadius(kp, ki, rho, lam);
        const seen = simulatedDecay(kp, ki, rho, lam);
        expect(Math.abs(seen - predicted)).toBeLessThan(0.01);
      }
    }
  }
});

const NOMINAL: ActuatorModel = { rOhm: 4.7, lH: 0.0005, kf: 2.5, kNPerMm: 0.9, mG: 3, cNsPerM: 0.3, frictionN: 0.02, restMm: -0.8, rBatteryOhm: 0.15 };

test('gains for the nominal actuator: the envelope settles within a block, and the derivation\'s optimum', () => {
  const rates = [50, 75, 100, 125, 150];
  const g = deriveGains(NOMINAL, rates, 0.5, 7.4);
  for (const l of g.lambda) expect(l.lambda).toBeGreaterThan(0.95);
  expect(g).toMatchObject({ kp: 0, ki: 1.18 });
  expect(g.contraction).toBeLessThan(0.31);
  // no grid point does better at the design corners
  for (const [kp, ki] of [[0, 1.1], [0, 1.26], [0.04, 1.18], [0.02, 1.14]]) {
    const worst = Math.max(...g.lambda.flatMap((l) => g.rho.map((rho) => spectralRadius(kp, ki, rho, l.lambda))));
    expect(worst).toBeGreaterThanOrEqual(g.contraction - 1e-9);
  }
  // what the derivation does not model: a new drive arriving late in the block (the
  // firmware's own computing time on a device). Stable to λ ≈ 0.25; at λ = 0.75 (a quarter
  // of a block late: the control CPU budget) the error still shrinks to 0.57 per block.
  const atLam = (lam: number): number => Math.max(...g.rho.map((rho) => spectralRadius(g.kp, g.ki, rho, lam)));
  expect(atLam(0.75)).toBeLessThan(0.6);
  expect(atLam(0.3)).toBeLessThan(1);
  expect(atLam(0.2)).toBeGreaterThan(1);
});

test('λ follows the actuator: a slow envelope (heavy needle, weak damping) shows less of a drive change in the first block', () => {
  const slow: ActuatorModel = { ...NOMINAL, mG: 10, cNsPerM: 0.05, kf: 1.2 };
  expect(firstBlockFraction(NOMINAL, 50, 0.5, 7.4)).toBeGreaterThan(0.95);
  expect(firstBlockFraction(slow, 50, 0.5, 7.4)).toBeLessThan(0.7);
  // and the gains follow: slower, with a proportional share
  const g = deriveGains(slow, [50, 75, 100, 125, 150], 0.5, 7.4);
  expect(g.ki).toBeLessThan(1.18);
});
