import { PARAMETER_SPECS, drawPenParameters } from '../../../src/sim/physics/params';
import { Rng } from '../../../src/sim/physics/rng';
import { pen, pins, run, strokes } from './helpers';

describe('part-to-part spread', () => {
  it('spread: false gives the nominal values', () => {
    const p = drawPenParameters(123, false);
    for (const s of PARAMETER_SPECS) expect(p[s.key]).toBe(s.nominal);
  });

  it('draws vary with the seed, are reproducible, and stay inside the tolerance bands', () => {
    const a = drawPenParameters(1, true);
    const b = drawPenParameters(1, true);
    const c = drawPenParameters(2, true);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (let seed = 0; seed < 200; seed++) {
      const p = drawPenParameters(seed, true);
      for (const s of PARAMETER_SPECS) {
        const band = s.tolKind === 'rel' ? Math.abs(s.nominal) * s.tol : s.tol;
        if (s.dist === 'range') {
          expect(p[s.key]).toBeGreaterThanOrEqual(s.nominal);
          expect(p[s.key]).toBeLessThan(s.nominal + band);
        } else {
          expect(Math.abs(p[s.key] - s.nominal)).toBeLessThanOrEqual(band + 1e-12);
        }
      }
    }
  });

  it('the calibration-relevant parameters really differ between pens', () => {
    const keys = ['hallOffsetFs', 'hallGain', 'springRateNPerMm', 'kfNPerA', 'movingMassG', 'coilR20Ohm', 'cartridgeOffsetMm'] as const;
    const pens = [1, 2, 3, 4, 5].map((s) => drawPenParameters(s, true));
    for (const k of keys) expect(new Set(pens.map((p) => p[k])).size).toBe(5);
    // spread of the normal draws is about tol/2
    const g = Array.from({ length: 2000 }, (_, s) => drawPenParameters(s, true).hallGain - 1);
    const sd = Math.sqrt(g.reduce((x, y) => x + y * y, 0) / g.length);
    expect(sd).toBeGreaterThan(0.035);
    expect(sd).toBeLessThan(0.05);
  });

  it('the PRNG is deterministic and uniform enough', () => {
    const r1 = new Rng(42, 1);
    const r2 = new Rng(42, 1);
    const xs = Array.from({ length: 10000 }, () => r1.next());
    expect(xs).toEqual(Array.from({ length: 10000 }, () => r2.next()));
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 1);
    expect(new Rng(42, 2).next()).not.toBe(new Rng(42, 1).next());
  });
});

describe('determinism', () => {
  const scenario = (seed: number) => {
    const hw = pen({ seed, spread: true, skin: { type: 'scar', wobble: { amplitudeMm: 0.15, freqHz: 2.5 } } });
    strokes(hw, 130, 0.5, 0.6);
    hw.conditions.setStiffnessStep(1.5, 0.4);
    hw.handset.press('BTN_RUN', 50, 0.2);
    const edges = run(hw, 0.8, 0.0007);
    const hall = Array.from({ length: 100 }, () => hw.analogIn(pins.HALL));
    return { strokes: hw.traces.strokes(), edges, hall, t: hw.conditions.coilTempC() };
  };

  it('same seed + same inputs → identical traces, edges and readings', () => {
    expect(scenario(5)).toEqual(scenario(5));
  });

  it('another seed → different traces', () => {
    expect(scenario(5).strokes).not.toEqual(scenario(6).strokes);
  });

  it('results do not depend on how the board slices time', () => {
    const a = pen({ skin: { type: 'normal', randomWalk: false } });
    const b = pen({ skin: { type: 'normal', randomWalk: false } });
    for (const hw of [a, b]) strokes(hw, 100, 0.5, 0.5);
    run(a, 0.5, 0.01);
    run(b, 0.5, 0.000137);
    expect(a.traces.strokes()).toEqual(b.traces.strokes());
  });
});
