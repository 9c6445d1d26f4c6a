import { analyseBlock, strokesPerBlock, SAMPLES_PER_BLOCK } from '../src/control/block-analysis';
import { blockAt, HALL } from './support/fake-io';

describe('analyseBlock', () => {
  it('finds the bottom of stroke within 3 µm whatever the sampling phase', () => {
    const out = { peakMm: 0, troughMm: 0, rawMax: 0, rawMin: 0 };
    for (const k of [2, 3, 4]) {
      const s = SAMPLES_PER_BLOCK / k;
      for (let phase = 0; phase < 1; phase += 0.1) {
        const buf = new Uint16Array(SAMPLES_PER_BLOCK);
        for (let i = 0; i < buf.length; i++) {
          const mm = -0.8 + (2.0 * (1 - Math.cos(((i + phase) / s) * 2 * Math.PI))) / 2;
          buf[i] = Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);
        }
        analyseBlock(buf, HALL, out);
        expect(Math.abs(out.peakMm - 1.2)).toBeLessThan(0.003);
        expect(Math.abs(out.troughMm + 0.8)).toBeLessThan(0.02);
      }
    }
  });

  it('uses 2–4 strokes per block across the rate range', () => {
    expect(strokesPerBlock(50)).toBe(2);
    expect(strokesPerBlock(100)).toBe(3);
    expect(strokesPerBlock(150)).toBe(4);
    expect(analyseBlock(blockAt(1.0, 3), HALL, { peakMm: 0, troughMm: 0, rawMax: 0, rawMin: 0 }).peakMm).toBeCloseTo(1.0, 2);
  });
});
