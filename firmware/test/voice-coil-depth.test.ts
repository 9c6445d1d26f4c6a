import { VoiceCoilDepthController, NOMINAL_SUPPLY_V } from '../src/control/voice-coil-depth';
import { StrokeModel } from '../src/control/calibration';
import { strokesPerBlock } from '../src/control/block-analysis';

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
