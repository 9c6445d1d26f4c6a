// The stepper's depth-loop gain (host-tools/src/calibration/stepper-gains.ts) against the
// controller it is for. The derivation's closed-loop polynomial must predict how fast the
// firmware's per-block law (firmware/src/control/stage-depth.ts: the stage moves by
// ki·e·steps/mm each block) shrinks a depth error, simulated here block by block
// independently of the algebra; and the stage timing behind λ must be the firmware's, as
// the real bundle steps the virtual pen's stage.
import { readFileSync } from 'node:fs';
import { connectSimPen } from '@stipple/host-tools/sim/connect-sim-pen';
import { FIRMWARE_BUNDLE } from '@stipple/host-tools/sim/virtual-pen';
import { spectralRadius } from '@stipple/host-tools/calibration/gains';
import { deriveStageGains, nextBlockFraction, stageSpectralRadius, stageStepTimesMs } from '@stipple/host-tools/calibration/stepper-gains';

/**
 * The law in mm: each block the pen measures y (mean bottom of the block's strokes), moves
 * the stage by ki·(set − y); the next block's strokes show λ of that move (the rest of it in
 * the block after), times ρ. Returns the per-block decay of the error, from the sequence.
 */
function simulatedDecay(ki: number, rho: number, lam: number): number {
  let p = 0;
  let pPrev = 0;
  let y = 0.05; // a depth error to start from (set = 0)
  const err: number[] = [];
  for (let n = 0; n < 200; n++) {
    const e = 0 - y;
    err.push(Math.abs(e));
    pPrev = p;
    p += ki * e;
    y = rho * (lam * p + (1 - lam) * pPrev);
  }
  const env = (a: number): number => Math.max(...err.slice(a, a + 8));
  return Math.pow(env(190) / env(90), 1 / 100);
}

test('the closed-loop polynomial predicts the stage law\'s decay at every design corner and beyond', () => {
  for (const ki of [0.64, 0.4, 0.9, 1.2]) {
    for (const rho of [0.85, 1.0, 1.15]) {
      for (const lam of [1, 0.9, 0.7, 0.5]) {
        const predicted = stageSpectralRadius(ki, rho, lam);
        expect(Math.abs(simulatedDecay(ki, rho, lam) - predicted)).toBeLessThan(0.01);
        // the voice coil's loop with kp = 0 (gains.ts): the same polynomial times z
        expect(predicted).toBeCloseTo(spectralRadius(0, ki, rho, lam), 6);
      }
    }
  }
});

test('λ: a move done before the first stroke is seen whole, a long one in part; longer blocks see more of it', () => {
  expect(nextBlockFraction(1, 100)).toBe(1);
  expect(nextBlockFraction(2, 150)).toBeGreaterThan(0.99);
  // 40 steps take ~15 ms: about a quarter of the strokes at 150/s (4 per block) come before they are done
  const l40 = nextBlockFraction(40, 150);
  expect(l40).toBeGreaterThan(0.6);
  expect(l40).toBeLessThan(0.8);
  expect(nextBlockFraction(40, 50)).toBeGreaterThan(l40);
  // a move arriving late in the block (the firmware's computing time on a device) is seen less
  expect(nextBlockFraction(16, 100, 10)).toBeLessThan(nextBlockFraction(16, 100));
});

test('the stage steps at the times the derivation assumes, on the virtual pen with the real firmware', async () => {
  const c = await connectSimPen({ seed: 2, variant: 'stepper', bundle: readFileSync(FIRMWARE_BUNDLE, 'latin1') });
  try {
    const { link, client, pen } = c;
    await link.run(client.enterService(pen.secret));
    // the stage at rest at home first (its homing run after boot ends by stepping off the switch and back)
    for (let i = 0; i < 100 && !(await link.run(client.sensors())).home; i++) await link.advance(0.01);
    // a capture moves the stage out from home: watch it step (0.1 ms resolution)
    const p = client.request('capture', { rate: 100, duty: 0.2, n: 32 }, { timeoutMs: 5000 });
    const start = pen.hardware.stepper.stageMm();
    const trace: { t: number; steps: number }[] = [];
    for (let i = 0; i < 400; i++) {
      await link.advance(0.0001);
      trace.push({ t: link.now, steps: Math.round((pen.hardware.stepper.stageMm() - start) * pen.hardware.params.stageStepsPerMm) });
    }
    const t0 = trace.find((x) => x.steps >= 1)!.t;
    const model = stageStepTimesMs(64);
    for (const k of [16, 32, 48, 64]) {
      const seen = (trace.find((x) => x.steps >= k)!.t - t0) * 1000;
      expect(Math.abs(seen - model[k - 1])).toBeLessThan(0.3);
    }
    await link.run(p);
  } finally {
    await c.close();
  }
});

test('ki for an identified stage: the derivation\'s optimum, and the margin for a late move', () => {
  const g = deriveStageGains(0.01);
  expect(g.kp).toBe(0);
  expect(g.ki).toBe(0.64);
  expect(g.contraction).toBeLessThan(0.47);
  // no grid neighbour does better at the design corners
  const worstAt = (ki: number): number => Math.max(...g.rho.flatMap((rho) => g.lambda.flatMap((l) => [l.lambda, l.lambdaLargest].map((lam) => stageSpectralRadius(ki, rho, lam)))));
  expect(worstAt(g.ki)).toBeCloseTo(g.contraction, 6);
  for (const ki of [0.6, 0.62, 0.66, 0.7]) expect(worstAt(ki)).toBeGreaterThanOrEqual(g.contraction - 1e-9);
  // what the derivation leaves out: the move starting a quarter of a block late (the block
  // handler's time on a device, docs/control.md): the loop still converges
  const lateWorst = Math.max(...[60, 100, 150].flatMap((rate) => [2, 16, 40].flatMap((m) => {
    const lam = nextBlockFraction(m, rate, (1000 * (rate < 75 ? 2 : rate < 125 ? 3 : 4)) / rate / 4);
    return g.rho.map((rho) => stageSpectralRadius(g.ki, rho, lam));
  })));
  expect(lateWorst).toBeLessThan(0.75);
  // a less certain identification: another gain, and a slower worst corner
  const loose = deriveStageGains(0.2);
  expect(loose.ki).not.toBe(g.ki);
  expect(loose.contraction).toBeGreaterThan(g.contraction);
});
