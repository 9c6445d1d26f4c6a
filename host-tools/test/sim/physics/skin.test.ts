import { Rng } from '../../../src/sim/physics/rng';
import { SKIN_NOMINAL, SkinModel, needleForceScale } from '../../../src/sim/physics/skin';
import { strokeTrain } from '../../../src/sim/physics/characterise';
import { hold, mean, pen, pins, run, std, strokes } from './helpers';

function skin(): SkinModel {
  const s = new SkinModel(new Rng(1, 3));
  s.setDt(40e-6);
  s.set('normal');
  return s;
}

/** Push the tip quasi-statically to u (mm) in 1 µm steps; return the last force. */
function pushTo(s: SkinModel, uMm: number): number {
  let f = 0;
  for (let u = 0; u <= uMm + 1e-9; u += 0.001) f = s.force(u / 1000, 0);
  return f;
}

describe('skin: puncture', () => {
  it('below the puncture force the needle only tents the surface; at the threshold it punctures', () => {
    const fp = SKIN_NOMINAL.punctureN; // 0.25 N per needle (domain.md 0.1–0.5 N)
    const uP = fp / SKIN_NOMINAL.preStiffnessNPerMm; // 0.5 mm of tenting at puncture
    const a = skin();
    const f = pushTo(a, uP - 0.01);
    expect(f).toBeLessThan(fp);
    expect(f).toBeCloseTo(SKIN_NOMINAL.preStiffnessNPerMm * (uP - 0.01), 6);
    expect(a.punctured).toBe(false);
    expect(a.d).toBe(0);
    const b = skin();
    pushTo(b, uP + 0.01);
    expect(b.punctured).toBe(true);
    // after puncture the force drops to cutting + friction (60 % tearing, domain.md)
    const after = b.force((uP + 0.02) / 1000, 0.05);
    expect(after).toBeLessThan(fp);
    expect(after).toBeGreaterThan(0);
  });

  it('the puncture force scales with the needle group and diameter (1RL #06 < 1RL #08 < 3RL #08)', () => {
    const f = (count: number, diameterMm: number) => {
      const s = skin();
      s.setNeedle({ count, diameterMm });
      return s.punctureForceN();
    };
    expect(f(1, 0.2)).toBeCloseTo(0.2, 6);
    expect(f(1, 0.25)).toBeCloseTo(0.25, 6);
    expect(f(3, 0.25)).toBeCloseTo(0.25 * Math.pow(3, 0.8), 6);
    expect(needleForceScale({ count: 3, diameterMm: 0.35 })).toBeGreaterThan(3);
  });

  it('the puncture resets when the needle leaves the hole', () => {
    const s = skin();
    pushTo(s, 1.0);
    expect(s.punctured).toBe(true);
    for (let u = 1.0; u >= -0.5; u -= 0.001) s.force(u / 1000, -0.1);
    expect(s.punctured).toBe(false);
    expect(s.d).toBe(0);
    // air: no force at all
    s.set('air');
    expect(s.force(0.001, 0)).toBe(0);
  });

  it('in the pen: a slow press below threshold does not puncture, a firmer one does; 3RL needs more', () => {
    const press = (duty: number, needle = { count: 1, diameterMm: 0.25 }) => {
      const hw = pen({ skin: { type: 'normal', randomWalk: false }, needle });
      hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'digital', value: true });
      for (let k = 1; k <= 100; k++) {
        hw.setPinDrive(pins.DRIVE_PWM, { kind: 'pwm', duty: (duty * k) / 100, freq: 20000 });
        hw.advance(k * 0.004);
      }
      run(hw, 0.6);
      return hw;
    };
    // equilibrium x with skin: Kf·D·V/R = k·(x + 0.8) + kPre·x; puncture needs kPre·x ≥ 0.25 N, x ≥ 0.5 mm
    // D = 0.3: x ≈ (2.5·0.3·7.6/4.7 − 0.72)/1.4 ≈ 0.35 mm, F ≈ 0.18 N < 0.25 N
    const soft = press(0.3);
    expect(soft.skin.punctured).toBe(false);
    expect(soft.gauge.depthInTissueMm()).toBe(0);
    expect(soft.gauge.protrusionMm()).toBeGreaterThan(0.2);
    // D = 0.45: x ≈ 0.79 mm, F ≈ 0.39 N > 0.25 N
    const firm = press(0.45);
    expect(firm.skin.punctured).toBe(true);
    expect(firm.gauge.depthInTissueMm()).toBeGreaterThan(0);
    // 3RL: puncture 0.25·3^0.8 = 0.60 N, tenting stiffness ×√2.41: F ≈ 0.51 N < 0.60 N
    expect(press(0.45, { count: 3, diameterMm: 0.25 }).skin.punctured).toBe(false);
  });
});

describe('skin: deflection, tissue types, variation', () => {
  it('at about 1 mm protrusion less than half ends up in tissue (domain.md)', () => {
    const r = strokeTrain({ rate: 100, push: 0.5, duty: 0.4, tissue: 'normal' });
    expect(r.bottomMm).toBeGreaterThan(0.8);
    expect(r.bottomMm).toBeLessThan(1.1);
    expect(r.depthMm).toBeLessThan(r.bottomMm / 2);
    expect(r.depthMm).toBeGreaterThan(0.1);
  });

  it('firmer tissue and scar reach less protrusion for the same drive; soft more', () => {
    const b = (tissue: 'soft' | 'normal' | 'firm' | 'scar') => strokeTrain({ rate: 100, push: 0.5, duty: 0.5, tissue }).bottomMm;
    const soft = b('soft');
    const normal = b('normal');
    const firm = b('firm');
    expect(soft).toBeGreaterThan(normal);
    expect(firm).toBeLessThan(normal);
  });

  it('scar is patchy: stroke-to-stroke spread of bottom and depth is larger than in normal skin', () => {
    const normal = pen({ skin: { type: 'normal', randomWalk: false } });
    const scar = pen({ skin: { type: 'scar', randomWalk: false } });
    for (const hw of [normal, scar]) {
      strokes(hw, 100, 0.5, 0.55);
      run(hw, 1.0, 0.05);
    }
    const d = (hw: typeof normal) => std(hw.traces.strokes(0.2).map((r) => r.depthInTissueMm));
    expect(d(scar)).toBeGreaterThan(5 * d(normal) + 0.005);
  });

  it('a stiffness step at a chosen time changes the bottom of stroke from then on', () => {
    const hw = pen({ skin: { type: 'normal', randomWalk: false } });
    strokes(hw, 100, 0.5, 0.5);
    hw.conditions.setStiffnessStep(3, 0.5);
    run(hw, 1.0, 0.05);
    const before = mean(hw.traces.strokes(0.3).filter((r) => r.time < 0.5).map((r) => r.bottomMm));
    const after = mean(hw.traces.strokes(0.7).map((r) => r.bottomMm));
    expect(after).toBeLessThan(before - 0.05);
    expect(hw.conditions.stiffnessMultiplier()).toBeCloseTo(3, 6);
  });

  it('the stiffness random-walks as the pen moves across the scalp (σ ≈ 10 %, τ ≈ 2 s)', () => {
    const hw = pen({ skin: { type: 'normal' } });
    const m: number[] = [];
    for (let t = 0.5; t <= 120; t += 0.5) {
      hw.advance(t);
      m.push(Math.log(hw.conditions.stiffnessMultiplier()));
    }
    expect(std(m)).toBeGreaterThan(0.05);
    expect(std(m)).toBeLessThan(0.2);
    expect(Math.abs(mean(m))).toBeLessThan(0.1);
  });

  it('hand wobble moves the surface with the set amplitude and frequency', () => {
    const hw = pen({ skin: { type: 'normal', randomWalk: false, wobble: { amplitudeMm: 0.2, freqHz: 3 } } });
    const s: number[] = [];
    for (let t = 0.001; t <= 2; t += 0.001) {
      hw.advance(t);
      s.push(hw.gauge.surfaceMm());
    }
    expect(Math.max(...s)).toBeCloseTo(0.2, 3);
    expect(Math.min(...s)).toBeCloseTo(-0.2, 3);
    let crossings = 0;
    for (let k = 1; k < s.length; k++) if (s[k - 1] < 0 && s[k] >= 0) crossings++;
    expect(crossings).toBe(6); // 3 Hz for 2 s
    // the wobble shows in the bottom of stroke in skin (less so in air)
    strokes(hw, 100, 0.5, 0.5);
    hw.conditions.setWobble({ amplitudeMm: 0.2, freqHz: 2 });
    run(hw, 4, 0.05);
    const b = hw.traces.strokes(2.5).map((r) => r.bottomMm);
    expect(Math.max(...b) - Math.min(...b)).toBeGreaterThan(0.03);
  });

  it('a held needle in the skin stays put; lifting off (air) releases it', () => {
    const hw = pen({ skin: { type: 'normal', randomWalk: false } });
    hold(hw, 0.7);
    run(hw, 0.3);
    expect(hw.skin.punctured).toBe(true);
    hw.conditions.setSkin('air');
    run(hw, 0.4);
    expect(hw.skin.punctured).toBe(false);
    expect(hw.gauge.depthInTissueMm()).toBe(0);
  });
});
