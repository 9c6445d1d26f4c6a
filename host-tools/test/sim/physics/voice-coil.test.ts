import { hold, mean, off, pen, pins, run, strokes } from './helpers';
import { strokeTrain } from '../../../src/sim/physics/characterise';

// Static checks are hand-checkable: in a hold the bar is at rest, so the coil current is
// I = D·V/(R_coil(T) + R_ds) and the position is the spring equilibrium
// x = (kS·xS0 + kM·xM0 + Kf·I)/(kS + kM) (the friction model is zero at rest).
// Tolerances: gauge resolution 1 µm, plus ≤1 µm for the 0.3 s settle of a mode with
// ζ ≈ 0.4 at ~90 Hz (residual far below 1e-6 mm); the current to 1e-4 relative (exact exponential).

describe('voice coil: statics', () => {
  it('rests at the spring rest position with the drive off', () => {
    const hw = pen();
    run(hw, 0.05);
    expect(hw.gauge.protrusionMm()).toBeCloseTo(-0.8, 3);
    expect(hw.drive.coilCurrentA()).toBe(0);
  });

  it.each([
    [false, 0.2],
    [false, 0.45],
    [true, 0.3],
    [true, 0.6],
  ])('hold (spread %p, D = %p): I = D·V/R and x = rest + Kf·I/k_total', (spread, duty) => {
    const hw = pen({ spread, seed: 11 });
    hold(hw, duty);
    run(hw, 0.3, 0.01);
    const p = hw.params;
    const v = hw.conditions.supplyVoltage();
    const r = p.coilR20Ohm * (1 + p.coilTempcoPerK * (hw.conditions.coilTempC() - 20)) + p.bridgeRdsOhm;
    const i = (duty * v) / r;
    expect(hw.drive.coilCurrentA()).toBeCloseTo(i, 4);
    const k = p.springRateNPerMm + p.membraneRateNPerMm;
    const x = (p.springRateNPerMm * p.springRestMm + p.membraneRateNPerMm * p.membraneRestMm + p.kfNPerA * i) / k;
    const tip = x + p.cartridgeOffsetMm;
    expect(Math.abs(hw.gauge.protrusionMm() - tip)).toBeLessThanOrEqual(0.002);
  });

  it('the bridge current limit chops at ~2 A and the needle sits on the extended stop', () => {
    const hw = pen();
    hold(hw, 1.0); // 7.6 V / 4.7 Ω ≈ 1.6 A: below the limit
    run(hw, 0.1);
    expect(hw.drive.currentLimitActive()).toBe(false);
    hw.conditions.setSupplyVoltage(8.4);
    const hw2 = pen({ supplyV: 8.4, overrides: { currentLimitA: 1.2 } });
    hold(hw2, 1.0);
    run(hw2, 0.1);
    expect(hw2.drive.currentLimitActive()).toBe(true);
    expect(hw2.drive.coilCurrentA()).toBeCloseTo(1.2, 6);
    expect(hw2.drive.chopEvents()).toBeGreaterThan(0);
  });

  it('hits the extended hard stop at +2.8 mm and does not pass it by more than the bumper compliance', () => {
    const hw = pen();
    hold(hw, 1.0); // F = 2.5 N/A × 1.6 A = 4 N > 0.9 N/mm × 3.6 mm
    const xs: number[] = [];
    for (let t = 0.001; t < 0.1; t += 0.0002) {
      hw.advance(t);
      xs.push(hw.gauge.protrusionMm());
    }
    const max = Math.max(...xs);
    expect(max).toBeGreaterThan(2.8);
    // 100 N/mm bumper: impact at ~0.6 m/s overshoots by v·√(m/k) ≈ 0.1 mm, then settles at F_excess/k
    expect(max).toBeLessThan(2.8 + 0.15);
    expect(xs[xs.length - 1]).toBeCloseTo(2.8 + (4.0 - 0.9 * 3.6) / 100, 1);
  });

  it('braking returns the needle to rest (passive fail-safe)', () => {
    const hw = pen();
    hold(hw, 0.5);
    run(hw, 0.1);
    off(hw);
    run(hw, 0.3);
    expect(hw.gauge.protrusionMm()).toBeCloseTo(-0.8, 2);
  });
});

describe('voice coil: stroke trains', () => {
  it('150 strokes/s, push 0.5, duty 0.6 in normal skin: bottom of stroke within 0.2–2.0 mm, punctures, less depth than protrusion', () => {
    const r = strokeTrain({ rate: 150, push: 0.5, duty: 0.6, tissue: 'normal' });
    expect(r.strokes).toBeGreaterThanOrEqual(21);
    expect(r.bottomMm).toBeGreaterThan(0.2);
    expect(r.bottomMm).toBeLessThan(2.0);
    expect(r.inSkinFraction).toBe(1);
    expect(r.depthMm).toBeGreaterThan(0);
    expect(r.depthMm).toBeLessThan(r.bottomMm);
    expect(r.maxMm - r.minMm).toBeLessThan(0.02); // steady open loop, no walk
  });

  it('the mechanics reach 0.2–2.0 mm across 50–150 strokes/s with push 0.3–0.6 and duty < 0.8 at 7.4 V in normal skin', () => {
    const base = { tissue: 'normal' as const, extra: { supplyV: 7.4 } };
    // deepest corner: 150 strokes/s needs the longest push
    expect(strokeTrain({ ...base, rate: 150, push: 0.6, duty: 0.8 }).bottomMm).toBeGreaterThanOrEqual(2.0);
    // shallowest corner: 50 strokes/s with a short push and a small duty
    expect(strokeTrain({ ...base, rate: 50, push: 0.3, duty: 0.2 }).bottomMm).toBeLessThanOrEqual(0.2);
    for (const rate of [50, 100, 150]) {
      const b = [0.3, 0.5, 0.7].map((duty) => strokeTrain({ ...base, rate, push: 0.6, duty }).bottomMm);
      expect(b[1]).toBeGreaterThan(b[0]);
      expect(b[2]).toBeGreaterThan(b[1]);
    }
  });

  it('skin costs depth: the same drive reaches less protrusion in scar than in air', () => {
    const air = strokeTrain({ rate: 120, push: 0.5, duty: 0.55, tissue: 'air' });
    const scar = strokeTrain({ rate: 120, push: 0.5, duty: 0.55, tissue: 'scar' });
    expect(air.depthMm).toBe(0);
    expect(scar.bottomMm).toBeLessThan(air.bottomMm);
  });

  it('records one stroke per DRIVE_PHASE period with time-stamps, peak current and temperature', () => {
    const hw = pen({ skin: { type: 'normal', randomWalk: false } });
    strokes(hw, 100, 0.5, 0.5);
    run(hw, 0.5, 0.05);
    const s = hw.traces.strokes(0.1);
    expect(s.length).toBeGreaterThanOrEqual(39);
    expect(s.length).toBeLessThanOrEqual(41);
    const dts = s.slice(1).map((r, k) => r.time - s[k].time);
    expect(mean(dts)).toBeCloseTo(0.01, 4);
    expect(s.every((r) => r.peakCurrentA > 0.3 && r.peakCurrentA < 2.1)).toBe(true);
    expect(s.every((r) => r.coilTempC >= 25)).toBe(true);
    // the push-phase duty change does not restart the stroke clock
    strokes(hw, 100, 0.4, 0.5);
    run(hw, 0.62, 0.05);
    const after = hw.traces.strokes(0.5).filter((r) => r.time < 0.6);
    expect(after.length).toBe(10);
    expect(after.every((r, k) => Math.abs(r.time - after[0].time - 0.01 * k) < 1e-3)).toBe(true);
  });

  it('the Hall reading follows the needle bar during strokes (the controller sees the waveform)', () => {
    const hw = pen();
    strokes(hw, 100, 0.5, 0.5);
    const pairs: [number, number][] = [];
    for (let t = 0.1; t < 0.12; t += 0.0001) {
      hw.advance(t);
      pairs.push([hw.gauge.barMm(), hw.analogIn(pins.HALL)]);
    }
    for (const [x, fs] of pairs) expect(Math.abs(fs - (0.1 + (0.8 * (x + 1.5)) / 4.5))).toBeLessThan(0.006);
  });
});
