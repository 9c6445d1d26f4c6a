import { hallNominal, hold, mean, off, pen, pins, run, std, strokes } from './helpers';

const reads = (hw: ReturnType<typeof pen>, pin: string, n = 500) => Array.from({ length: n }, () => hw.analogIn(pin));

describe('fault injection (each at a chosen virtual time)', () => {
  it('Hall disconnected: reads ~0 (or the rail) from the injection time on', () => {
    const hw = pen();
    hw.faults.inject('hallDisconnected', {}, 0.1);
    run(hw, 0.09);
    expect(mean(reads(hw, pins.HALL))).toBeCloseTo(hallNominal(-0.8), 2);
    run(hw, 0.11);
    expect(Math.max(...reads(hw, pins.HALL))).toBeLessThan(0.01);
    expect(hw.faults.active()).toEqual(['hallDisconnected']);
    hw.faults.clear('hallDisconnected');
    hw.faults.inject('hallDisconnected', { level: 'high' });
    expect(Math.min(...reads(hw, pins.HALL))).toBeGreaterThan(0.99);
  });

  it('Hall stuck: frozen value while the needle moves', () => {
    const hw = pen();
    hw.faults.inject('hallStuck', {}, 0.05);
    strokes(hw, 100, 0.5, 0.5);
    const seen = new Set<number>();
    for (let t = 0.06; t < 0.2; t += 0.0007) {
      hw.advance(t);
      seen.add(hw.analogIn(pins.HALL));
    }
    expect(seen.size).toBe(1);
    expect(hw.traces.strokes(0.1).length).toBeGreaterThan(5);
  });

  it('Hall noisy: large noise', () => {
    const hw = pen();
    hw.faults.inject('hallNoisy', { sigmaFs: 0.03 });
    expect(std(reads(hw, pins.HALL, 4000))).toBeGreaterThan(0.025);
  });

  it('coil open: no current, the needle stays at rest', () => {
    const hw = pen();
    hw.faults.inject('coilOpen', {}, 0.05);
    hold(hw, 0.5);
    run(hw, 0.2);
    expect(hw.drive.coilCurrentA()).toBe(0);
    expect(mean(reads(hw, pins.COIL_I))).toBeCloseTo(0.5, 2);
    expect(hw.gauge.protrusionMm()).toBeCloseTo(-0.8, 3);
  });

  it('coil shorted (0.2 Ω): the bridge hits its current limit, no force on the needle', () => {
    const hw = pen();
    hw.faults.inject('coilShorted', { ohms: 0.2 });
    hold(hw, 0.2);
    run(hw, 0.2);
    expect(hw.drive.currentLimitActive()).toBe(true);
    expect(hw.drive.chopEvents()).toBeGreaterThan(0);
    expect(mean(reads(hw, pins.COIL_I))).toBeCloseTo(0.5 + 0.606 * 2.0 * 0.2, 2); // limit × PWM duty
    expect(hw.gauge.protrusionMm()).toBeCloseTo(-0.8, 3);
  });

  it('supply sag: the terminal voltage drops', () => {
    const hw = pen({ supplyV: 7.4 });
    run(hw, 0.01);
    const v0 = mean(reads(hw, pins.VSUPPLY)) * 4 * 3.3;
    hw.faults.inject('supplySag', { dropV: 1.2 }, 0.02);
    run(hw, 0.03);
    expect(v0 - mean(reads(hw, pins.VSUPPLY)) * 4 * 3.3).toBeCloseTo(1.2, 1);
    expect(hw.power.brownouts()).toHaveLength(0);
  });

  it('brown-out: supply < 5.5 V for > 1 ms resets the MCU (reported once) and the drive goes off', () => {
    const hw = pen({ skin: { type: 'air' } });
    strokes(hw, 100, 0.5, 0.6);
    hw.faults.inject('brownout', { voltage: 3.0, durationMs: 5 }, 0.1);
    run(hw, 0.1005, 0.0005);
    expect(hw.power.brownouts()).toHaveLength(0); // not yet 1 ms
    run(hw, 0.3);
    const b = hw.power.brownouts();
    expect(b).toHaveLength(1);
    expect(b[0].time).toBeGreaterThan(0.101);
    expect(b[0].time).toBeLessThan(0.1012);
    expect(hw.power.takeBrownout()).toBe(true);
    expect(hw.power.takeBrownout()).toBe(false);
    expect(hw.gauge.protrusionMm()).toBeCloseTo(-0.8, 2); // outputs floated: brake, springs retract
    // a short dip (< 1 ms) does not reset
    const hw2 = pen();
    hw2.faults.inject('brownout', { voltage: 3.0, durationMs: 0.5 }, 0.1);
    run(hw2, 0.3);
    expect(hw2.power.brownouts()).toHaveLength(0);
  });

  it('brown-out from sag under load at a low battery', () => {
    const hw = pen({ supplyV: 6.1 });
    hw.faults.inject('supplySag', { extraOhm: 0.5 });
    hold(hw, 1.0); // ≈1.2 A × 0.65 Ω ≈ 0.8 V sag: 5.3 V
    run(hw, 0.1);
    expect(hw.power.brownouts().length).toBeGreaterThanOrEqual(1);
  });

  it('coil over-temperature: injected heat or blocked cooling raises the NTC temperature', () => {
    const hw = pen();
    hw.faults.inject('overTemp', { heatJ: 120 }, 0.01); // C = 3 J/K: +40 K
    run(hw, 0.02);
    expect(hw.conditions.coilTempC()).toBeCloseTo(65, 0);
    const hw2 = pen();
    hw2.faults.inject('overTemp', { rthFactor: 4 });
    strokes(hw2, 150, 0.5, 0.7);
    const hw3 = pen();
    strokes(hw3, 150, 0.5, 0.7);
    run(hw2, 120, 0.05);
    run(hw3, 120, 0.05);
    expect(hw2.conditions.coilTempC()).toBeGreaterThan(hw3.conditions.coilTempC() + 10);
  });

  it('jammed needle: the bar stays at the jam position whatever the drive; the gauge and Hall agree', () => {
    const hw = pen();
    hw.faults.inject('jam', { positionMm: 0.5 }, 0.05);
    strokes(hw, 120, 0.5, 0.7);
    run(hw, 0.3);
    expect(hw.gauge.protrusionMm()).toBe(0.5);
    expect(mean(reads(hw, pins.HALL))).toBeCloseTo(hallNominal(0.5), 3);
    hw.faults.clear('jam');
    off(hw);
    run(hw, 0.6);
    expect(hw.gauge.protrusionMm()).toBeCloseTo(-0.8, 2);
  });

  it('cartridge pulled mid-run: the switch opens and strokes stop puncturing', () => {
    const hw = pen({ skin: { type: 'normal', randomWalk: false } });
    strokes(hw, 100, 0.5, 0.6);
    hw.faults.inject('cartridgePulled', {}, 0.3);
    const e = run(hw, 0.6, 0.01).filter((x) => x.pin === pins.CARTRIDGE);
    expect(e[0].time).toBeCloseTo(0.3, 9);
    expect(hw.digitalIn(pins.CARTRIDGE)).toBe(true);
    const s = hw.traces.strokes(0.35);
    expect(s.every((r) => !r.inSkin && r.depthInTissueMm === 0)).toBe(true);
    expect(hw.traces.strokes(0.1).filter((r) => r.time < 0.3).every((r) => r.inSkin)).toBe(true);
  });

  it('stepper stall: a load-torque spike for a while loses steps', () => {
    const hw = pen({ variant: 'stepper' });
    hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'digital', value: true });
    for (let f = 400, t = 0; f <= 12000; f += 200) {
      t += 0.0025;
      hw.setPinDrive(pins.DRIVE_PWM, { kind: 'pwm', duty: 0.5, freq: f });
      hw.advance(t);
    }
    run(hw, 0.4);
    expect(hw.stepper.lostFullSteps()).toBe(0);
    hw.faults.inject('stall', { loadTorqueMNm: 40, durationMs: 20 });
    run(hw, 0.6);
    expect(hw.stepper.lostFullSteps()).toBeGreaterThan(0);
    expect(hw.faults.active()).not.toContain('stall');
  });
});
