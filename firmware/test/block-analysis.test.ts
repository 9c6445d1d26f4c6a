import { analyseBlock, strokesPerBlock, SAMPLES_PER_BLOCK, newBlockResult } from '../src/control/block-analysis';
import { blockAt, HALL } from './support/fake-io';

describe('analyseBlock', () => {
  it('finds the bottom of stroke within 3 µm whatever the sampling phase', () => {
    const out = newBlockResult();
    for (const k of [2, 3, 4]) {
      const s = SAMPLES_PER_BLOCK / k;
      for (let phase = 0; phase < 1; phase += 0.1) {
        const buf = new Uint16Array(SAMPLES_PER_BLOCK);
        for (let i = 0; i < buf.length; i++) {
          const mm = -0.8 + (2.0 * (1 - Math.cos(((i + phase) / s) * 2 * Math.PI))) / 2;
          buf[i] = Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);
        }
        analyseBlock(buf, HALL, k, out);
        expect(Math.abs(out.peakMm - 1.2)).toBeLessThan(0.003);
        expect(out.strokes).toBe(k);
        for (let j = 0; j < k; j++) expect(Math.abs(out.strokeMm[j] - 1.2)).toBeLessThan(0.003);
        expect(Math.abs(out.meanMm - 1.2)).toBeLessThan(0.003);
        expect(Math.abs(out.troughMm + 0.8)).toBeLessThan(0.02);
      }
    }
  });

  it('uses 2–4 strokes per block across the rate range', () => {
    expect(strokesPerBlock(50)).toBe(2);
    expect(strokesPerBlock(100)).toBe(3);
    expect(strokesPerBlock(150)).toBe(4);
    expect(analyseBlock(blockAt(1.0, 3), HALL, 3, newBlockResult()).peakMm).toBeCloseTo(1.0, 2);
  });

  it('reports each stroke of a block: a deep stroke among shallow ones', () => {
    const k = 3;
    const s = SAMPLES_PER_BLOCK / k;
    const depths = [0.9, 1.3, 1.0];
    const buf = new Uint16Array(SAMPLES_PER_BLOCK);
    for (let i = 0; i < buf.length; i++) {
      const j = Math.floor(i / s);
      const mm = -0.8 + ((depths[j] + 0.8) * (1 - Math.cos(((i + 0.3) / s) * 2 * Math.PI))) / 2;
      buf[i] = Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);
    }
    const out = analyseBlock(buf, HALL, k, newBlockResult());
    for (let j = 0; j < k; j++) expect(out.strokeMm[j]).toBeCloseTo(depths[j], 1);
    expect(out.peakMm).toBeCloseTo(1.3, 1);
    expect(out.meanMm).toBeCloseTo((0.9 + 1.3 + 1.0) / 3, 1);
  });

  // Preset switching while running (HIL report): a block sampled for 120 strokes/s while the
  // strokes came at 90/s read 2.265 mm when the deepest stroke was 1.53 mm. A segment that ends
  // on the rising flank of a stroke threw the parabola's vertex far beyond its samples.
  it('a block whose strokes do not fit its segments (rate changed under the sampling) never reads more than 20 µm beyond its samples', () => {
    const out = newBlockResult();
    const k = 3;
    const raw = (mm: number) => Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);
    for (const ratio of [90 / 120, 110 / 120, 120 / 90, 1.37]) {
      for (let phase = 0; phase < 1; phase += 0.05) {
        const buf = new Uint16Array(SAMPLES_PER_BLOCK);
        for (let i = 0; i < buf.length; i++) {
          const mm = -0.8 + ((1.53 + 0.8) * (1 - Math.cos(((i * ratio) / (SAMPLES_PER_BLOCK / k) + phase) * 2 * Math.PI))) / 2;
          buf[i] = raw(mm);
        }
        analyseBlock(buf, HALL, k, out);
        expect(out.peakMm).toBeLessThan(1.53 + 0.02);
        for (let j = 0; j < k; j++) expect(out.strokeMm[j]).toBeLessThan(1.53 + 0.02);
      }
    }
  });

  it('the refinement never reads a stroke shallower than its deepest sample: a real deep stroke is always seen', () => {
    const out = newBlockResult();
    const raw = (mm: number) => Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);
    for (const k of [2, 3, 4]) {
      const s = SAMPLES_PER_BLOCK / k;
      for (let phase = 0; phase < 1; phase += 0.05) {
        const buf = new Uint16Array(SAMPLES_PER_BLOCK);
        let deepest = 0;
        for (let i = 0; i < buf.length; i++) {
          // one stroke of the block goes to 2.12 mm (beyond a 2.0 mm limit + 0.05), the others to 1.0 mm
          const bottom = Math.floor(i / s) === 1 ? 2.12 : 1.0;
          buf[i] = raw(-0.8 + ((bottom + 0.8) * (1 - Math.cos(((i + phase) / s) * 2 * Math.PI))) / 2);
          if (buf[i] > deepest) deepest = buf[i];
        }
        analyseBlock(buf, HALL, k, out);
        expect(out.peakMm).toBeGreaterThanOrEqual((deepest / 65535 - HALL.offset) * HALL.mmPerUnit - 1e-9);
        expect(out.peakMm).toBeGreaterThan(2.1);
      }
    }
  });

  // HIL report: a noisy Hall sensor (σ 0.03 FS) went unnoticed. A stroke's bottom is smooth;
  // noise makes the deepest sample of each stroke a spike above its neighbours.
  it('measures how far stroke bottoms stand above their neighbours: a few 0.001 FS for real strokes, ≥ 0.02 FS with noise', () => {
    const out = newBlockResult();
    let seed = 7;
    const gauss = () => {
      // Box–Muller on a small LCG: a repeatable test
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const u = (seed + 1) / 2147483649;
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const v = (seed + 1) / 2147483649;
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    };
    for (const k of [2, 3, 4]) {
      const s = SAMPLES_PER_BLOCK / k;
      for (const sigma of [0, 0.0008, 0.03]) {
        let sum = 0;
        for (let trial = 0; trial < 20; trial++) {
          const buf = new Uint16Array(SAMPLES_PER_BLOCK);
          for (let i = 0; i < buf.length; i++) {
            const mm = -0.8 + (2.3 * (1 - Math.cos(((i + 0.37 * trial) / s) * 2 * Math.PI))) / 2;
            const fs = HALL.offset + mm / HALL.mmPerUnit + sigma * gauss();
            buf[i] = Math.max(0, Math.min(65535, Math.round(fs * 65535)));
          }
          analyseBlock(buf, HALL, k, out);
          sum += out.sharpRaw / 65535;
          if (sigma < 0.01) expect(out.sharpRaw / 65535).toBeLessThan(0.012);
        }
        if (sigma > 0.01) expect(sum / 20).toBeGreaterThan(0.03);
      }
    }
  });
});
