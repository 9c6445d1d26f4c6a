import { VoiceCoilDepthController, NOMINAL_SUPPLY_V, PREDICT_BELOW_RATE, MAX_STEP_UP_MM, RING_MARGIN_MM } from '../src/control/voice-coil-depth';
import { StrokeModel } from '../src/control/calibration';
import { strokesPerBlock, START_STROKES } from '../src/control/block-analysis';

const model: StrokeModel = { rates: [50, 100, 150], gain: [3.6, 2.8, 2.1], offset: [-0.8, -0.8, -0.8], push: 0.45 };
const gainsFor = (_a: number) => ({ kp: 0.05, ki: 0.7 });

/** The real stroke: what the model says, less what the skin takes, with a true gain the model got slightly wrong. */
function plant(duty: number, supply: number, rate: number, skinLossMm: number, gainError = 1.05): number {
  const u = (duty * supply) / NOMINAL_SUPPLY_V;
  const a = rate === 50 ? 3.6 : rate === 100 ? 2.8 : 2.1;
  return a * gainError * u - 0.8 - skinLossMm;
}

describe('VoiceCoilDepthController', () => {
  it('settles to the setpoint in skin within a few blocks and rejects a stiffness step', () => {
    for (const rate of [50, 100, 150]) {
      const g = gainsFor(2.8);
      const c = new VoiceCoilDepthController(model, g.kp, g.ki);
      c.configure(1.0, 2.0, rate);
      let duty = c.start(7.4);
      let depth = 0;
      const trace: number[] = [];
      for (let b = 0; b < 40; b++) {
        depth = plant(duty, 7.4, rate, b < 20 ? 0.25 : 0.4);
        trace.push(depth);
        duty = c.update(depth, 7.4, depth);
      }
      expect(Math.abs(trace[15] - 1.0)).toBeLessThan(0.005);
      expect(Math.abs(trace[39] - 1.0)).toBeLessThan(0.005);
      // soft start approaches from below: no overshoot on the first strokes
      expect(Math.max(...trace.slice(0, 20))).toBeLessThan(1.0 + 0.005);
    }
  });

  // HIL (a Hall frozen mid-block at 125/s, session 5): the block read 1 mm short, the drive stepped
  // to its limit, and the ring of that step took the next stroke to 2.028 mm against a 2 mm limit
  it('once settled, a block that reads far short raises the drive by at most MAX_STEP_UP_MM, and the output limit keeps the ring margin', () => {
    for (const rate of [50, 100, 150]) {
      const c = new VoiceCoilDepthController(model, 0.05, 0.7);
      const V = 12; // a full battery with headroom: the supply does not cap the drive first
      c.configure(1.0, 2.0, rate);
      let duty = c.start(V);
      for (let b = 0; b < 20; b++) duty = c.update(plant(duty, V, rate, 0.25), V, 0);
      const a = rate === 50 ? 3.6 : rate === 100 ? 2.8 : 2.1;
      const before = duty;
      const after = c.update(0.0, V, 0); // the sensor reads the needle 1 mm short
      expect((after - before) * a * V / NOMINAL_SUPPLY_V).toBeLessThanOrEqual(MAX_STEP_UP_MM + 1e-9);
      // it does rise to the cap where no wobble prediction tempers the step (the cap binds)
      if (rate >= PREDICT_BELOW_RATE) expect((after - before) * a * V / NOMINAL_SUPPLY_V).toBeGreaterThan(MAX_STEP_UP_MM - 1e-9);
      // however long it reads short, the drive never passes the limit less the ring margin
      let d = after;
      for (let b = 0; b < 30; b++) d = c.update(0.0, V, 0);
      expect((a * d * V) / NOMINAL_SUPPLY_V - 0.8).toBeLessThanOrEqual(2.0 - RING_MARGIN_MM + 1e-9);
    }
  });

  // HIL report: runs at 1.5 mm/60 strokes/s in firm skin overshot by 51–60 µm on their first
  // strokes: the first correction after the soft start used ki 1.18 on a block whose first stroke
  // (from rest) was shallower than the steady ones
  it('soft start closes from below even with ki > 1 and a first stroke from rest off the steady one', () => {
    for (const rate of [50, 100, 150]) {
      const c = new VoiceCoilDepthController(model, 0, 1.18);
      const set = rate === 150 ? 0.9 : 1.5; // what this model's drive reaches at each rate
      c.configure(set, 2.0, rate);
      let duty = c.start(7.4);
      const k = rate < 75 ? 2 : rate < 125 ? 3 : 4;
      const strokes: number[] = [];
      for (let b = 0; b < 12; b++) {
        // skin takes 0.3 mm and gives the deeper stroke a little less than the air model says
        const steady = plant(duty, 7.4, rate, rate === 150 ? 0.15 : 0.3, 0.95);
        const block: number[] = [];
        for (let j = 0; j < k; j++) block.push(steady + (b === 0 && j === 0 ? (rate < 75 ? -0.05 : rate > 125 ? 0.25 : 0.1) : 0));
        strokes.push(...block);
        duty = c.update(block.reduce((a, x) => a + x, 0) / k, 7.4, block[k - 1]);
      }
      expect(Math.max(...strokes.slice(1))).toBeLessThan(set + 0.005); // the first stroke has its own margin
      expect(Math.abs(strokes[3 * k] - set)).toBeLessThan(0.02);
    }
  });

  // HIL (preset-switching.yaml): density (1.0 mm, 120/s) to scar (1.3 mm, 90/s) while running
  // put a stroke 67 µm deep: the stroke clock restarts at a new rate, and that block's first
  // stroke (0.14 mm short) pulled the block's mean short, which ki 1.18 then corrected in full
  it('after a rate change while running, the first block corrects from its last stroke, as the soft start does', () => {
    const c = new VoiceCoilDepthController(model, 0, 1.18);
    c.configure(1.0, 2.0, 150);
    let duty = c.start(7.4);
    for (let b = 0; b < 20; b++) { const d = plant(duty, 7.4, 150, 0.15); duty = c.update(d, 7.4, d); }
    // retune to a new depth and rate at a block's end (pen.ts applySetpoints)
    c.configure(1.3, 2.0, 100);
    duty = c.retuneDuty(7.4);
    const k = strokesPerBlock(100, true);
    const strokes: number[] = [];
    for (let b = 0; b < 8; b++) {
      const steady = plant(duty, 7.4, 100, 0.15);
      const block: number[] = [];
      for (let j = 0; j < k; j++) block.push(steady - (b === 0 && j === 0 ? 0.14 : 0));
      strokes.push(...block);
      duty = c.update(block.reduce((a, x) => a + x, 0) / k, 7.4, block[k - 1]);
    }
    // the loop closes from below on the steady strokes: no stroke beyond the setpoint
    expect(Math.max(...strokes)).toBeLessThan(1.3 + 0.005);
    expect(Math.abs(strokes[strokes.length - 1] - 1.3)).toBeLessThan(0.005);
  });

  it('never commands more than the drive that reaches the hard limit in air', () => {
    const c = new VoiceCoilDepthController(model, 0.5, 0.9);
    c.configure(1.9, 1.2, 100); // setpoint above the limit is cut to the limit
    c.start(7.4);
    for (let b = 0; b < 50; b++) {
      const duty = c.update(-0.8, 7.4, -0.8); // the needle never seems to arrive: the loop pushes as hard as allowed
      const airDepth = 2.8 * ((duty * 7.4) / NOMINAL_SUPPLY_V) - 0.8;
      expect(airDepth).toBeLessThanOrEqual(1.2 + 1e-9);
    }
  });

  it('compensates supply sag and warns when the depth cannot be reached', () => {
    const g = gainsFor(2.1);
    const c = new VoiceCoilDepthController(model, g.kp, g.ki);
    c.configure(1.9, 2.0, 150);
    let duty = c.start(6.2);
    let warned = false;
    for (let b = 0; b < 30; b++) {
      duty = c.update(plant(duty, 6.2, 150, 0.6), 6.2, plant(duty, 6.2, 150, 0.6));
      warned = warned || c.notReached;
    }
    expect(duty).toBe(1);
    expect(warned).toBe(true);
  });

  it('remembers what it learned at a rate (iterative learning across runs)', () => {
    const g = gainsFor(2.8);
    const c = new VoiceCoilDepthController(model, g.kp, g.ki);
    c.configure(1.0, 2.0, 100);
    let duty = c.start(7.4);
    for (let b = 0; b < 30; b++) { const d = plant(duty, 7.4, 100, 0.3); duty = c.update(d, 7.4, d); }
    c.stop();
    c.configure(1.0, 2.0, 50);
    c.configure(1.0, 2.0, 100);
    duty = c.start(7.4);
    const first = plant(duty, 7.4, 100, 0.3);
    // the second run's first block starts from the learned drive (soft-start fraction below it)
    expect(first).toBeGreaterThan(0.7);
    expect(first).toBeLessThan(1.0);
  });

  it('in open loop drives the feed-forward only', () => {
    const c = new VoiceCoilDepthController(model, 1, 1);
    c.openLoop = true;
    c.configure(1.0, 2.0, 100);
    c.start(7.4);
    const a = c.update(0.5, 7.4, 0.5);
    const b = c.update(0.2, 7.4, 0.2);
    expect(a).toBeCloseTo(b, 12);
    expect(a).toBeCloseTo(1.8 / 2.8, 6);
  });
});

describe('VoiceCoilDepthController: wobble prediction', () => {
  // One model at every rate, so the predictor (on below PREDICT_BELOW_RATE, off above) is the only difference.
  const flat: StrokeModel = { rates: [50, 100, 150], gain: [3, 3, 3], offset: [-0.8, -0.8, -0.8], push: 0.45 };
  const ON = 50;
  const OFF = 150;
  const SET = 1.0;

  /** Small deterministic noise (LCG), so runs are repeatable. */
  function noise(seed: number): () => number {
    let s = seed;
    return () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648 - 0.5;
    };
  }

  /**
   * Blocks of a run against a plant whose depth is the model's in-air depth at the drive, less
   * what the skin takes, plus `disturbance(b)`; the drive acts on the next block (as on the pen),
   * with the slope rho times the model's, λ of a new drive in its first block and the rest in the
   * next (the design corners of host-tools/src/calibration/gains.ts). Returns each block's depth
   * error (mm) and duty.
   */
  function run(rate: number, blocks: number, disturbance: (b: number) => number, limit = 2.0, rho = 1, lam = 1): { err: number[]; duty: number[] } {
    const c = new VoiceCoilDepthController(flat, 0, 1.18);
    c.configure(SET, limit, rate);
    let duty = c.start(7.4);
    let prev = duty;
    // the skin takes what leaves the steady drive at 0.5
    const loss = rho * 3 * 0.5 - 0.8 - SET;
    const err: number[] = [];
    const dutyTrace: number[] = [];
    for (let b = 0; b < blocks; b++) {
      const depth = rho * 3 * (lam * duty + (1 - lam) * prev) - 0.8 - loss + disturbance(b);
      err.push(depth - SET);
      prev = duty;
      duty = c.update(depth, 7.4, depth);
      dutyTrace.push(duty);
    }
    return { err, duty: dutyTrace };
  }
  const CORNERS = [[0.6, 1], [0.6, 0.75], [1, 1], [1, 0.75], [1.1, 1], [1.1, 0.75]];
  const rms = (xs: number[]): number => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);
  const worst = (xs: number[]): number => Math.max(...xs.map(Math.abs));

  it('is on below PREDICT_BELOW_RATE (blocks of 2-3 strokes) and off from it (6-stroke blocks)', () => {
    expect(ON).toBeLessThan(PREDICT_BELOW_RATE);
    expect(OFF).toBeGreaterThanOrEqual(PREDICT_BELOW_RATE);
    expect(strokesPerBlock(PREDICT_BELOW_RATE - 1, true)).toBeLessThanOrEqual(3);
    expect(strokesPerBlock(PREDICT_BELOW_RATE, true)).toBe(6);
    // the flat model makes the PI the same at every rate: only the predictor tells the runs apart
    const wob = (b: number): number => 0.06 * Math.sin((2 * Math.PI * b) / 5);
    expect(run(PREDICT_BELOW_RATE, 100, wob).err).toEqual(run(OFF, 100, wob).err);
    expect(run(PREDICT_BELOW_RATE - 1, 100, wob).err).not.toEqual(run(OFF, 100, wob).err);
  });

  // bench: 50 /s, 0.5 mm, a 5 Hz hand wobble (5 blocks a period) left 20-27 µm RMS, as much as the
  // open loop's swing: a loop acting on the last block lags it by about a block and a half
  it('cancels a sinusoidal wobble the PI alone lags', () => {
    for (const period of [5, 8, 12.5]) {
      const wob = (b: number): number => 0.06 * Math.sin((2 * Math.PI * b) / period);
      const pi = run(OFF, 300, wob).err.slice(100);
      const pred = run(ON, 300, wob).err.slice(100);
      const swing = 0.06 / Math.SQRT2;
      // PI alone keeps much of the swing (at 5 blocks a period, more than all of it: 0.047 mm RMS)
      expect(rms(pi)).toBeGreaterThan(0.3 * swing);
      // the predictor takes out at least three quarters of what the PI alone leaves (measured: 83–88 %)
      expect(rms(pred)).toBeLessThan(0.25 * rms(pi));
    }
  });

  it('still takes most of the wobble out where the skin and the actuator are not the model', () => {
    const n = noise(5);
    const d: number[] = [];
    for (let b = 0; b < 300; b++) d.push(0.06 * Math.sin((2 * Math.PI * b) / 5) + 0.003 * n());
    for (const [rho, lam] of CORNERS) {
      const pi = run(OFF, 300, (b) => d[b], 2, rho, lam).err.slice(100);
      const pred = run(ON, 300, (b) => d[b], 2, rho, lam).err.slice(100);
      // measured: 17–35 % of what the PI alone leaves
      expect(rms(pred)).toBeLessThan(0.45 * rms(pi));
    }
  });

  it('follows a wobble whose frequency drifts, with noise, better than the PI alone', () => {
    const n = noise(7);
    let phase = 0;
    const d: number[] = [];
    for (let b = 0; b < 600; b++) {
      // 4 to 10 blocks a period and back: a hand, not a metronome
      phase += (2 * Math.PI) / (7 + 3 * Math.sin((2 * Math.PI * b) / 300));
      d.push(0.05 * Math.sin(phase) + 0.004 * n());
    }
    const pi = run(OFF, 600, (b) => d[b]).err.slice(50);
    const pred = run(ON, 600, (b) => d[b]).err.slice(50);
    expect(rms(pred)).toBeLessThan(0.5 * rms(pi));
  });

  it('stays bounded on noise: no worse than the PI alone', () => {
    const n = noise(3);
    const d: number[] = [];
    for (let b = 0; b < 3000; b++) d.push(0.03 * n());
    const pi = run(OFF, 3000, (b) => d[b]).err.slice(20);
    const pred = run(ON, 3000, (b) => d[b]).err.slice(20);
    expect(pred.every((e) => Number.isFinite(e))).toBe(true);
    expect(rms(pred)).toBeLessThan(1.05 * rms(pi));
    expect(worst(pred)).toBeLessThan(1.2 * worst(pi));
  });

  it('settles after a stiffness step as the PI alone does, and holds', () => {
    const n = noise(11);
    const d: number[] = [];
    for (let b = 0; b < 400; b++) d.push((b >= 200 ? -0.15 : 0) + 0.002 * n());
    for (const [rho, lam] of CORNERS) {
      const pi = run(OFF, 400, (b) => d[b], 2, rho, lam).err;
      const pred = run(ON, 400, (b) => d[b], 2, rho, lam).err;
      // the step's own block is seen, not predicted; after it the predictor must not extrapolate it
      expect(worst(pred.slice(201))).toBeLessThan(worst(pi.slice(201)) + 0.002);
      expect(worst(pred.slice(210))).toBeLessThan(0.006);
      expect(worst(pred.slice(20, 200))).toBeLessThan(0.006);
    }
  });

  it('never commands more than the hard limit allows, however large the wobble', () => {
    const limit = 1.2;
    // the output limit keeps the drive step's ring margin under the hard limit
    const uMax = (limit - RING_MARGIN_MM + 0.8) / 3;
    for (const period of [4, 5, 9]) {
      const { duty } = run(ON, 400, (b) => 0.6 * Math.sin((2 * Math.PI * b) / period), limit);
      for (const x of duty) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(uMax + 1e-12);
      }
      // it does push against the limit: the check above is not idle
      expect(Math.max(...duty)).toBeCloseTo(uMax, 9);
    }
  });

  // HIL (second-run-150.yaml, faults-150): at 150 strokes/s, above the ≈ 87 Hz resonance, every drive
  // step rings: the first stroke after it overshoots the new steady stroke by ≈ 0.15 of the step, the
  // next falls short by 0.14 of that, and so on. A run from rest is a step from the retracted needle
  // (-0.8 mm): on a second run (the integral has learned the skin) the first stroke reached 1.051–1.074 mm
  // at 0.9 of the learned drive, the first correction's step overshot in its turn.
  it('a second run at 150/s, whose strokes ring after every drive step, stays within set + 0.05 mm', () => {
    const rate = 150;
    const ring = 0.15; // first stroke's overshoot, share of the step (the simulated pen: 0.12–0.155)
    const decay = 0.14; // the ringing's ratio stroke to stroke (sign alternating)
    // [set, what the skin takes, true mm per drive over the model's] (the simulated pen: 0.95–1.05)
    for (const [set, loss, slope] of [[1.0, 0.05, 1], [1.2, 0.05, 1], [1.0, 0.1, 0.95], [1.2, 0.1, 1.05]]) {
      const c = new VoiceCoilDepthController(model, 0, 1.18);
      for (let run = 0; run < 2; run++) {
        c.configure(set, 2.0, rate);
        let duty = c.start(7.4);
        let steady = -0.8; // at rest, retracted
        let x = 0; // the ringing's part of the next stroke
        const strokes: number[] = [];
        for (let b = 0; b < 8; b++) {
          const now = slope * 2.1 * ((duty * 7.4) / NOMINAL_SUPPLY_V) - 0.8 - loss;
          x += ring * (now - steady);
          steady = now;
          const k = b === 0 ? START_STROKES : strokesPerBlock(rate, true);
          const block: number[] = [];
          for (let j = 0; j < k; j++) {
            block.push(steady + x);
            x *= -decay;
          }
          strokes.push(...block);
          duty = c.update(block.reduce((a, y) => a + y, 0) / k, 7.4, block[k - 1]);
        }
        c.stop();
        expect(Math.max(...strokes)).toBeLessThanOrEqual(set + 0.05);
        // and the first correction closes most of the gap: strokes 5–9 within 0.08 mm of the setpoint
        for (const d of strokes.slice(4, 9)) expect(Math.abs(d - set)).toBeLessThan(0.08);
      }
    }
  });
});
