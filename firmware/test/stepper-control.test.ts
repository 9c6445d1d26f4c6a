// The stepper's loops: the cam's STEP-frequency ramp and speed loop, the depth stage's
// soft start, integrating depth loop and in-air limit.
import {
  createCamSpeedController, camRampHz, camRampMs, CAM_START_HZ, CAM_RAMP_STEP_HZ, CAM_RAMP_TICK_MS, CAM_RAMP_HZ_PER_S,
} from '../src/control/cam-speed';
import { createStageDepthController, MAX_STAGE_STEPS_PER_BLOCK, SOFT_START_MM } from '../src/control/stage-depth';

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
    // the slope is the documented one: 40 kHz/s in 5 ms ticks, half the motor's ~80 kHz/s
    expect(CAM_RAMP_STEP_HZ / (CAM_RAMP_TICK_MS / 1000)).toBe(CAM_RAMP_HZ_PER_S);
    expect(CAM_RAMP_HZ_PER_S).toBeLessThanOrEqual(80000 / 2);
    expect(camRampMs(0, 20000)).toBe(seen.length * CAM_RAMP_TICK_MS);
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
    expect(c.slipping()).toBe(false);
    // it cannot be trimmed beyond 10 %
    const d = createCamSpeedController(400, 3);
    let g = d.configure(120);
    for (let i = 0; i < 60; i++) g = d.update(600 / g);
    expect(g).toBeLessThanOrEqual(16000 * 1.1 + 16000 * 0.3 * 0.6);
  });

  it('a cam much slower than commanded is slipping', () => {
    const c = createCamSpeedController(400, 3);
    c.configure(120);
    c.update(0.025 * 1.3);
    expect(c.slipping()).toBe(true);
    c.update(0.025 * 1.01);
    expect(c.slipping()).toBe(false);
  });

  it('open loop: feed-forward only', () => {
    const c = createCamSpeedController(400, 3);
    c.openLoop = true;
    const f = c.configure(100);
    expect(c.update(0.04)).toBe(f);
  });
});

describe('stage depth loop', () => {
  it('soft start: the approach ends short of the setpoint, the loop closes from below without overshoot', () => {
    const s = createStageDepthController(STAGE, 0.5);
    s.configure(1.0, 2.0);
    const move = s.approach();
    expect(move).toBe(Math.round(1.4 * 1600) - Math.round(SOFT_START_MM * 1600));
    // plant: depth = depthAtHome + position/stepsPerMm − 0.03 (a calibration error)
    const depth = () => -0.4 + s.position / 1600 - 0.03;
    let max = -Infinity;
    for (let i = 0; i < 40; i++) {
      const m = s.update(depth());
      expect(Math.abs(m)).toBeLessThanOrEqual(MAX_STAGE_STEPS_PER_BLOCK);
      max = Math.max(max, depth());
    }
    expect(Math.abs(depth() - 1.0)).toBeLessThan(0.002);
    expect(max).toBeLessThanOrEqual(1.0 + 0.001);
  });

  it('keeps what it learned across setpoint changes and runs', () => {
    const s = createStageDepthController(STAGE, 0.5);
    s.configure(1.0, 2.0);
    s.approach();
    const depth = () => -0.4 + s.position / 1600 - 0.05;
    for (let i = 0; i < 60; i++) s.update(depth());
    s.configure(1.2, 2.0);
    s.retune();
    expect(Math.abs(depth() - 1.2)).toBeLessThan(0.002);
    s.homed();
    expect(s.position).toBe(0);
    s.configure(0.8, 2.0);
    s.approach();
    expect(Math.abs(depth() - (0.8 - SOFT_START_MM))).toBeLessThan(0.002);
  });

  it('never commands a position whose in-air stroke ends beyond the hard limit', () => {
    const s = createStageDepthController(STAGE, 1);
    s.configure(1.9, 1.5);
    s.approach();
    for (let i = 0; i < 200; i++) s.update(0); // the sensor says far too shallow
    expect(-0.4 + s.position / 1600).toBeLessThanOrEqual(1.5);
    s.configure(0.5, 2.0);
    expect(s.retune()).toBeLessThan(0);
    for (let i = 0; i < 200; i++) s.update(3); // far too deep
    expect(s.position).toBe(0);
  });

  it('moves nothing for errors within the dead band, and nothing open loop', () => {
    const s = createStageDepthController(STAGE, 0.5);
    s.configure(1.0, 2.0);
    s.approach();
    expect(s.update(1.0 - 0.001)).toBe(0);
    s.openLoop = true;
    expect(s.update(0.5)).toBe(0);
  });
});
