// The depth loop's gains (host-tools/src/calibration/gains.ts) against the controller they
// are for. The derivation's closed-loop polynomial must predict how fast the firmware's
// per-block update law (docs/control.md, firmware/src/control/voice-coil-depth.ts) shrinks
// a depth error; here that law is simulated block by block, independently of the algebra.
import { deriveGains, firstBlockFraction, spectralRadius } from '@stipple/host-tools/calibration/gains';
import type { ActuatorModel } from '@stipple/host-tools/calibration/actuator-model';
import { VoiceCoilDepthController, NOMINAL_SUPPLY_V, PREDICT_BELOW_RATE } from '@stipple/firmware/control/voice-coil-depth';
import type { StrokeModel } from '@stipple/firmware/control/calibration';

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

// The firmware's own controller, not a re-statement of its law: the derivation's polynomial
// must predict how fast VoiceCoilDepthController.update shrinks a depth error, with the
// block timing the pen has (a new duty acts on the next block: λ of it shows there, the
// rest a block later) and a plant that differs from the model by ρ.
test('the firmware\'s depth controller shrinks an error at the rate the derivation predicts', () => {
  const model: StrokeModel = { rates: [50, 100, 150], gain: [3.6, 2.8, 2.1], offset: [-0.8, -0.8, -0.8], push: 0.45 };
  // at a rate where the wobble predictor is off (PREDICT_BELOW_RATE): the derivation is the PI's,
  // and below it the predictor reshapes the tail of a step's response (0.5 µm, voice-coil-depth.ts)
  const a = 2.1;
  expect(150).toBeGreaterThanOrEqual(PREDICT_BELOW_RATE);
  for (const [kp, ki] of [[0, 1.18], [0.05, 0.7], [0.2, 0.9]]) {
    for (const rho of [0.6, 0.8, 1.0, 1.1]) {
      for (const lam of [1, 0.9, 0.75]) {
        const c = new VoiceCoilDepthController(model, kp, ki);
        c.configure(1.0, 2.0, 150);
        // the skin takes `loss`, so that the steady drive is 0.5 (well inside the output limits)
        const loss = rho * a * 0.5 - 0.8 - 1.0;
        let duty = c.start(NOMINAL_SUPPLY_V);
        let prev = duty;
        const err: number[] = [];
        for (let n = 0; n < 34; n++) {
          // a stiffness step at block 10: the loop's response to it, not the soft start's
          const y = rho * a * (lam * duty + (1 - lam) * prev) - 0.8 - loss - (n >= 10 ? 0.1 : 0);
          err.push(Math.abs(1.0 - y));
          prev = duty;
          duty = c.update(y, NOMINAL_SUPPLY_V, y);
        }
        // per-block decay after the step, to where the error reaches rounding: the envelope of
        // 3 blocks (an oscillating error passes near 0)
        const env = (i: number): number => Math.max(...err.slice(i, i + 3));
        let last = 12;
        while (last + 4 < err.length && env(last + 1) > 1e-13) last++;
        expect(last).toBeGreaterThanOrEqual(14);
        const seen = Math.pow(env(last) / env(12), 1 / (last - 12));
        expect(Math.abs(seen - spectralRadius(kp, ki, rho, lam))).toBeLessThan(0.05);
      }
    }
  }
});
