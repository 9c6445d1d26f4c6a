// The stepper's loops: the cam's STEP-frequency ramp, brake and speed loop, the depth
// stage's integrating depth loop and in-air limit.
import {
  createCamSpeedController, camRampHz, camRampMs, camBrakeHz, camBrakeSteps, CAM_START_HZ, CAM_RAMP_STEP_HZ, CAM_TICK_MS, CAM_RAMP_HZ_PER_S, CAM_BRAKE_HZ_PER_S,
} from '../src/control/cam-speed';
import { createStageDepthController, MAX_STAGE_STEPS_PER_BLOCK, MAX_LEARNED_MM } from '../src/control/stage-depth';

const STAGE = { stepsPerMm: 1600, depthAtHome: -0.4, stepsPerRev: 400, lobes: 3 };

describe('cam ramp', () => {
  it('starts a stopped cam within its pull-in rate and never jumps by more than one ramp step', () => {
    expect(camRampHz(0, 20000)).toBe(CAM_START_HZ);
    expect(camRampHz(0, 1000)).toBe(1000);
    let f = 0;
    const seen: number[] = [];
    for (let i = 0; i < 200 && f !== 20000; i++) {
      const next = camRampHz(f, 20000);
      if (f > 0) expect(Math.abs(next - f)).toBeLessThanOrEqual(CAM_RAMP_STEP_HZ);
      f = next;
      seen.push(f);
    }
    expect(f).toBe(20000);
    // the slope is the documented one: 200 kHz/s in 1 ms ticks, 0 → 150 strokes/s in 89 ms
    // (docs/control.md), under a tenth of the ~2.7 MHz/s the pull-out torque allows (docs/hardware.md)
    expect(CAM_RAMP_STEP_HZ / (CAM_TICK_MS / 1000)).toBe(CAM_RAMP_HZ_PER_S);
    expect(CAM_RAMP_HZ_PER_S).toBeLessThanOrEqual(2.7e6 / 10);
    expect(camRampMs(0, 20000)).toBe(seen.length * CAM_TICK_MS);
    expect(camRampMs(0, 20000)).toBe(89);
  });

  it('ramps down, and stops only from below its start rate', () => {
    let f = 20000;
    let n = 0;
    while (f > 0 && n++ < 500) {
      const next = camRampHz(f, 0);
      if (next > 0) expect(f - next).toBeLessThanOrEqual(CAM_RAMP_STEP_HZ);
      else expect(f).toBeLessThanOrEqual(CAM_START_HZ + CAM_RAMP_STEP_HZ);
      f = next;
    }
    expect(f).toBe(0);
    expect(camRampHz(15000, 10000)).toBe(15000 - CAM_RAMP_STEP_HZ);
    expect(camRampHz(10050, 10000)).toBe(10000);
  });
});

describe('cam brake', () => {
  it('brakes onto a step: never faster than the brake rate allows to stop there, down to the start rate, then the last steps', () => {
    for (const [f0, steps] of [[20000, 200], [20000, 333], [16000, 140], [8000, 100], [2500, 20]]) {
      let f = f0;
      let left = steps;
      let ticks = 0;
      // a field moving one tick at a time at the frequency the brake gives
      while (left > 0 && ticks < 1000) {
        const next = camBrakeHz(f, left);
        if (!next) break;
        expect(next).toBeLessThanOrEqual(f);
        // from here the field could still stop within the steps left at the brake rate
        expect((next * next - CAM_START_HZ * CAM_START_HZ) / (2 * CAM_BRAKE_HZ_PER_S)).toBeLessThanOrEqual(left + 1e-9);
        f = next;
        left -= (f * CAM_TICK_MS) / 1000;
        ticks++;
      }
      // the last steps (at most a few) go at the start rate, from which the motor stops within a step
      expect(left).toBeGreaterThan(-1);
      expect(left).toBeLessThanOrEqual(Math.max(4, steps - ((f0 * CAM_TICK_MS) / 1000) * ticks + 1));
      expect(f).toBeGreaterThan(CAM_START_HZ - 1);
    }
    // from 150 strokes/s the brake needs 197 steps, about half a revolution: 20 ms
    expect(camBrakeSteps(20000)).toBe(197);
    expect(camBrakeSteps(CAM_START_HZ)).toBe(0);
  });
});

describe('cam speed loop', () => {
  it('feed-forward: STEP frequency = rate / lobes × steps per revolution', () => {
    const c = createCamSpeedController(400, 3);
    expect(c.configure(150)).toBeCloseTo(20000, 6);
    expect(c.period()).toBeCloseTo(0.02, 9);
  });

  it('trims a cam turning slowly (a wrong steps/rev) back to the set rate, within ±10 %', () => {
    const c = createCamSpeedController(400, 3);
    let f = c.configure(120);
    // the cam really needs 420 steps per revolution: period = 420 / f
    for (let i = 0; i < 60; i++) f = c.update(420 / f);
    expect(3 / (420 / f)).toBeCloseTo(120, 1);
    // it cannot be trimmed beyond 10 %
    const d = createCamSpeedController(400, 3);
    let g = d.configure(120);
    for (let i = 0; i < 60; i++) g = d.update(600 / g);
    expect(g).toBeLessThanOrEqual(16000 * 1.1 + 16000 * 0.3 * 0.6);
  });

  it('open loop: feed-forward only', () => {
    const c = createCamSpeedController(400, 3);
    c.openLoop = true;
    const f = c.configure(100);
    expect(c.update(0.04)).toBe(f);
  });
});

describe('stage depth loop', () => {
  it('stands at the feed-forward position: the first stroke ends at the set depth, no approach from below', () => {
    const s = createStageDepthController(STAGE, 0.5);
    s.configure(1.0, 2.0);
    expect(s.target()).toBe(Math.round(1.4 * 1600));
  });

  it('integrates the depth error, at most 40 steps a block, and keeps it across setpoints and runs', () => {
    const s = createStageDepthController(STAGE, 0.5);
    s.configure(1.0, 2.0);
    let pos = s.target();
    // plant: depth = depthAtHome + position/stepsPerMm − 0.03 (a calibration error)
    const depth = () => -0.4 + pos / 1600 - 0.03;
    let max = -Infinity;
    for (let i = 0; i < 40; i++) {
      const next = s.update(depth(), pos);
      expect(Math.abs(next - pos)).toBeLessThanOrEqual(MAX_STAGE_STEPS_PER_BLOCK);
      pos = next;
      max = Math.max(max, depth());
    }
    expect(Math.abs(depth() - 1.0)).toBeLessThan(0.002);
    expect(max).toBeLessThanOrEqual(1.0 + 0.001);
    s.configure(1.2, 2.0);
    pos = s.target();
    expect(Math.abs(depth() - 1.2)).toBeLessThan(0.002);
  });

  it('a run that ends in a fault teaches nothing; the correction stays within its bound', () => {
    const s = createStageDepthController(STAGE, 1);
    s.configure(1.0, 2.0);
    const before = s.target();
    s.runStarts();
    let pos = before;
    for (let i = 0; i < 10; i++) pos = s.update(0.9, pos);
    expect(s.target()).toBeGreaterThan(before);
    s.forgetRun();
    expect(s.target()).toBe(before);
    for (let i = 0; i < 100; i++) pos = s.update(0, pos); // the sensor says far too shallow
    expect(s.target() - before).toBe(MAX_LEARNED_MM * 1600);
  });

  it('never commands a position whose in-air stroke ends beyond the hard limit', () => {
    const s = createStageDepthController(STAGE, 1);
    s.configure(1.9, 1.5);
    let pos = s.target();
    expect(-0.4 + pos / 1600).toBeLessThanOrEqual(1.5);
    for (let i = 0; i < 200; i++) pos = s.update(0, pos);
    expect(-0.4 + pos / 1600).toBeLessThanOrEqual(1.5);
    s.configure(0.2, 2.0);
    pos = 0;
    for (let i = 0; i < 200; i++) pos = s.update(3, pos); // far too deep: no further than the correction's bound
    expect(pos).toBe(Math.round(0.6 * 1600) - MAX_LEARNED_MM * 1600);
  });

  it('moves nothing for errors within the dead band, and nothing open loop', () => {
    const s = createStageDepthController(STAGE, 0.5);
    s.configure(1.0, 2.0);
    const pos = s.target();
    expect(s.update(1.0 - 0.001, pos)).toBe(pos);
    s.openLoop = true;
    expect(s.update(0.5, pos)).toBe(pos);
  });
});
