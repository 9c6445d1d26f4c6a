import { hold, mean, off, pen, pins, run } from './helpers';
import { benchmarkPhysics } from '../../../src/sim/physics/bench';

describe('supply', () => {
  it('sags by R_int × I under load and recovers', () => {
    const hw = pen({ supplyV: 7.4 });
    run(hw, 0.01);
    const v0 = hw.conditions.supplyVoltage();
    hold(hw, 1.0);
    run(hw, 0.2);
    const i = hw.drive.coilCurrentA();
    const v1 = hw.conditions.supplyVoltage();
    expect(v0 - v1).toBeCloseTo(hw.params.batteryRintOhm * i, 3);
    off(hw);
    run(hw, 0.5);
    expect(hw.conditions.supplyVoltage()).toBeCloseTo(v0, 3);
  });

  it('supply voltage settable over time (open-circuit voltage / state of charge)', () => {
    const hw = pen({ supplyV: 8.4 });
    hw.conditions.setSupplyVoltage(6.4, 1.0);
    run(hw, 0.5, 0.1);
    expect(hw.conditions.openCircuitVoltage()).toBeCloseTo(8.4, 2);
    run(hw, 1.5, 0.1);
    expect(hw.conditions.openCircuitVoltage()).toBeCloseTo(6.4, 3);
    expect(mean(Array.from({ length: 500 }, () => hw.analogIn(pins.VSUPPLY))) * 4 * 3.3).toBeCloseTo(6.4, 1);
  });

  it('lower supply means less current for the same duty (the controller must compensate)', () => {
    const a = pen({ supplyV: 8.4 });
    const b = pen({ supplyV: 6.4 });
    for (const hw of [a, b]) {
      hold(hw, 0.4);
      run(hw, 0.2);
    }
    expect(a.drive.coilCurrentA() / b.drive.coilCurrentA()).toBeCloseTo(8.4 / 6.4, 1);
  });
});

describe('thermal', () => {
  it('first order with τ = R_th·C_th ≈ 60 s', () => {
    const hw = pen();
    hw.faults.inject('overTemp', { heatJ: 30 }); // +10 K
    const p = hw.params;
    const tau = p.thermalResistanceKPerW * p.thermalCapacityJPerK;
    expect(tau).toBeCloseTo(60, 6);
    run(hw, tau, 0.5);
    expect(hw.conditions.coilTempC() - 25).toBeCloseTo(10 * Math.exp(-1), 2);
  });

  it('I²R heating in a hold reaches ΔT = P·R_th in the steady state, and R rises with temperature', () => {
    const hw = pen();
    hold(hw, 0.5);
    run(hw, 0.1, 0.05);
    const i0 = hw.drive.coilCurrentA();
    run(hw, 600, 0.5);
    const p = hw.params;
    const t = hw.conditions.coilTempC();
    const r = p.coilR20Ohm * (1 + p.coilTempcoPerK * (t - 20));
    const i = hw.drive.coilCurrentA();
    expect(i).toBeLessThan(i0);
    expect(t - 25).toBeCloseTo(i * i * r * p.thermalResistanceKPerW, 0);
  });
});

describe('benchmark util', () => {
  it('reports steps/s and the real-time factor (informational, no timing assertion)', () => {
    for (const variant of ['voiceCoil', 'stepper'] as const) {
      benchmarkPhysics({ variant, seconds: 2 }); // JIT warm-up
      const r = benchmarkPhysics({ variant, seconds: 10 });
      // eslint-disable-next-line no-console
      console.log(`${variant}: ${(r.stepsPerSecond / 1e6).toFixed(2)} M steps/s, ${r.realTimeFactor.toFixed(0)}× real time`);
      expect(r.steps).toBeGreaterThan(0);
      expect(r.strokes).toBeGreaterThan(1300);
    }
  });
});
