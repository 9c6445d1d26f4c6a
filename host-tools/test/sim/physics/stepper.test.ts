import type { PenHardware } from '../../../src/sim/physics/pen-hardware';
import { pen, pins, run } from './helpers';
import type { InputEdge } from '../../../src/sim/board/hardware-model';

function stepperPen(tissue: 'air' | 'normal' | 'scar' = 'air', spread = false): PenHardware {
  return pen({ variant: 'stepper', spread, skin: { type: tissue, randomWalk: false } });
}

/** STAGE_STEP pulses: `n` steps, 0.15 ms high / 0.15 ms low (3.3 kHz, under the 4 kHz limit). */
function stageSteps(hw: PenHardware, n: number, deeper: boolean, start = hw.time()): number {
  hw.setPinDrive(pins.STAGE_DIR, { kind: 'digital', value: deeper });
  hw.pulseTrain(pins.STAGE_STEP, true, start, new Array<number>(2 * n - 1).fill(0.15));
  return start + (2 * n - 1) * 0.15e-3;
}

/** Ramp the cam to `revs` rev/s at 80 kHz/s of step rate (no steps lost below the pull-out curve). */
function spinUp(hw: PenHardware, revs: number, edges: InputEdge[] = []): number {
  hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'digital', value: true });
  let f = 200;
  let t = hw.time();
  while (f < revs * 400) {
    f = Math.min(revs * 400, f + 200);
    hw.setPinDrive(pins.DRIVE_PWM, { kind: 'pwm', duty: 0.5, freq: f });
    t += 0.0025;
    edges.push(...hw.advance(t));
  }
  run(hw, t + 0.2, 0.005, edges);
  return hw.time();
}

describe('stepper: depth stage', () => {
  it('moves 1600 steps/mm in the STAGE_DIR direction, and the home switch opens/closes at the retracted end', () => {
    const hw = stepperPen();
    expect(hw.digitalIn(pins.STAGE_HOME)).toBe(false); // at home: active low
    const end = stageSteps(hw, 1600, true, 0.001);
    const edges = run(hw, end + 0.01);
    expect(hw.stepper.stageMm()).toBeCloseTo(1.0, 6);
    const home = edges.filter((e) => e.pin === pins.STAGE_HOME);
    expect(home.length).toBe(1);
    expect(home[0].value).toBe(true);
    // the switch opens at 0.02 mm = the 33rd step (first edge at 1 ms, one step per 0.3 ms)
    expect(home[0].time).toBeCloseTo(0.001 + 32 * 0.3e-3, 6);
    const end2 = stageSteps(hw, 800, false);
    const e2 = run(hw, end2 + 0.01);
    expect(hw.stepper.stageMm()).toBeCloseTo(0.5, 6);
    expect(e2.filter((e) => e.pin === pins.STAGE_HOME).length).toBe(0);
    expect(hw.stepper.stageLostSteps()).toBe(0);
  });

  it('loses steps above its maximum step rate and at the ends of travel', () => {
    const hw = stepperPen();
    hw.setPinDrive(pins.STAGE_DIR, { kind: 'digital', value: true });
    hw.pulseTrain(pins.STAGE_STEP, true, 0.001, new Array<number>(199).fill(0.1)); // 100 steps at 5 kHz
    run(hw, 0.05);
    expect(hw.stepper.stageLostSteps()).toBe(50);
    const hw2 = stepperPen();
    const end = stageSteps(hw2, 10, false, 0.001); // already home: every step hits the end stop
    run(hw2, end + 0.01);
    expect(hw2.stepper.stageLostSteps()).toBe(10);
    expect(hw2.stepper.stageMm()).toBe(0);
  });
});

describe('stepper: cam', () => {
  it('3 strokes per revolution, one CAM_INDEX pulse per revolution, bottom = stage + throw − offset', () => {
    const hw = stepperPen();
    run(hw, stageSteps(hw, 1600, true, 0.001) + 0.01);
    const edges: InputEdge[] = [];
    const t = spinUp(hw, 40, edges);
    const idx = edges.filter((e) => e.pin === pins.CAM_INDEX && !e.value && e.time > t - 0.15).map((e) => e.time);
    const periods = idx.slice(1).map((x, k) => x - idx[k]);
    for (const p of periods) expect(p).toBeCloseTo(1 / 40, 4);
    // index pulses are short: low for 0.1 rad of a turn
    const rises = edges.filter((e) => e.pin === pins.CAM_INDEX && e.value && e.time > idx[0]);
    expect(rises[0].time - idx[0]).toBeCloseTo(0.1 / (2 * Math.PI) / 40, 4);
    const s = hw.traces.strokes(t - 0.15);
    expect(s.length).toBeGreaterThanOrEqual(17);
    expect(s.length).toBeLessThanOrEqual(19);
    const p = hw.params;
    for (const r of s) expect(r.bottomMm).toBeCloseTo(1.0 + p.camThrowMm - p.camOffsetMm + p.cartridgeOffsetMm, 2);
    expect(hw.stepper.lostFullSteps()).toBe(0);
  });

  it('keeps step below its pull-out torque and loses steps above it (at 20 and 50 rev/s)', () => {
    for (const revs of [20, 50]) {
      for (const [frac, loses] of [
        [0.5, false],
        [1.3, true],
      ] as const) {
        const hw = stepperPen();
        const t = spinUp(hw, revs);
        const tpo = hw.stepper.pullOutTorqueMNm(revs);
        hw.faults.inject('stall', { loadTorqueMNm: frac * tpo }, t);
        run(hw, t + 0.3, 0.01);
        if (loses) expect(hw.stepper.lostFullSteps()).toBeGreaterThan(0);
        else expect(hw.stepper.lostFullSteps()).toBe(0);
      }
    }
  });

  it('a blocked rotor stalls: the index stops and the commanded angle runs away', () => {
    const hw = stepperPen();
    const t = spinUp(hw, 30);
    hw.faults.inject('stall', { blocked: true }, t);
    const edges = run(hw, t + 0.2, 0.01);
    expect(edges.filter((e) => e.pin === pins.CAM_INDEX && e.time > t + 0.01).length).toBe(0);
    expect(hw.stepper.lostFullSteps()).toBeGreaterThan(1000);
  });

  it('ENABLE low: the cam stops where it is (detent + friction)', () => {
    const hw = stepperPen();
    const t = spinUp(hw, 20);
    hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'digital', value: false });
    run(hw, t + 0.5, 0.01);
    const r0 = hw.stepper.rotorRevs();
    run(hw, t + 1.0, 0.01);
    expect(hw.stepper.rotorRevs()).toBeCloseTo(r0, 9);
  });
});
