import { hallNominal, hold, mean, pen, pins, run, strokes } from './helpers';

describe('virtual gauge (ground truth, 1 µm)', () => {
  it('reads the true tip: bar + cartridge offset, while a naive Hall reading is off by the pen\'s offset/gain', () => {
    const hw = pen({ seed: 3, spread: true });
    hold(hw, 0.35);
    run(hw, 0.3);
    const p = hw.params;
    const tip = hw.gauge.protrusionMm();
    expect(tip).toBeCloseTo(hw.gauge.barMm() + p.cartridgeOffsetMm, 2);
    expect(Math.round(tip * 1000)).toBeCloseTo(tip * 1000, 9); // 1 µm resolution
    // inverting the nominal transfer gives the wrong depth on a real (spread) pen
    const fs = mean(Array.from({ length: 2000 }, () => hw.analogIn(pins.HALL)));
    const naive = ((fs - 0.1) / 0.8) * 4.5 - 1.5;
    expect(Math.abs(naive - tip)).toBeGreaterThan(0.02);
    expect(hallNominal(hw.gauge.barMm())).not.toBeCloseTo(fs, 3);
  });

  it('stroke history = trace ground truth rounded to 1 µm; depth in tissue follows the skin state', () => {
    const hw = pen({ skin: { type: 'normal', randomWalk: false } });
    strokes(hw, 120, 0.5, 0.55);
    run(hw, 0.4, 0.01);
    const g = hw.gauge.strokes(0.2);
    const t = hw.traces.strokes(0.2);
    expect(g.length).toBe(t.length);
    g.forEach((r, k) => {
      expect(r.time).toBe(t[k].time);
      expect(Math.abs(r.bottomMm - t[k].bottomMm)).toBeLessThanOrEqual(0.0005);
      expect(r.bottomMm * 1000).toBeCloseTo(Math.round(r.bottomMm * 1000), 9);
    });
    expect(hw.gauge.depthInTissueMm()).toBeCloseTo(hw.skin.d * 1000, 2);
    // the traces ring is bounded
    const small = pen({ traceCapacity: 16 });
    strokes(small, 150, 0.5, 0.5);
    run(small, 0.5, 0.05);
    expect(small.traces.count).toBeGreaterThan(60);
    expect(small.traces.strokes().length).toBe(16);
    const sink: number[] = [];
    small.traces.sink = (r) => sink.push(r.bottomMm);
    run(small, 0.6, 0.05);
    expect(sink.length).toBeGreaterThanOrEqual(15); // 0.1 s at 150/s, plus the stroke ending at the boundary
    expect(sink.length).toBeLessThanOrEqual(16);
  });
});
