// The phase-locked block analysis: comb sums at the bottom phase, a three-point sinusoid
// fit, the bottom phase found once and then followed, and the bound on every stroke's
// bottom that the depth-limit check uses.
import { BlockAnalysis, strokesPerBlock, START_STROKES, SAMPLES_PER_BLOCK, Convolve } from '../src/control/block-analysis';
import { HALL } from './support/fake-io';

const convolve: Convolve = (a, b, off) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[(i + off) % b.length];
  return s;
};
const raw = (mm: number) => Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);
const mmOf = (r: number) => (r / 65535 - HALL.offset) * HALL.mmPerUnit;

/** A block of cosine strokes (rest −0.8 mm), stroke j bottoming at depths[j], the bottom at sample phase `phase` (fractional). */
function block(rate: number, depths: (j: number) => number, phase: number, troughMm = -0.8): Uint16Array {
  const m = strokesPerBlock(rate, true);
  const n = SAMPLES_PER_BLOCK / m;
  const buf = new Uint16Array(SAMPLES_PER_BLOCK);
  for (let i = 0; i < buf.length; i++) {
    const j = Math.floor(i / n);
    const d = depths(j);
    buf[i] = raw(troughMm + ((d - troughMm) * (1 + Math.cos(((i - phase) / n) * 2 * Math.PI))) / 2);
  }
  return buf;
}

describe('BlockAnalysis', () => {
  it('stepper blocks last at most 40 ms and give a stroke at least 24 samples', () => {
    for (let rate = 50; rate <= 150; rate += 0.1) {
      const m = strokesPerBlock(rate);
      expect(m / rate).toBeLessThanOrEqual(0.04);
      expect(SAMPLES_PER_BLOCK / m).toBeGreaterThanOrEqual(24);
      expect(SAMPLES_PER_BLOCK % m).toBe(0);
    }
    expect(strokesPerBlock(150)).toBe(4);
  });

  it('voice-coil blocks last at most 48 ms and give a stroke at least 16 samples; a run\'s first block holds at most 3 strokes (START_STROKES)', () => {
    for (let rate = 50; rate <= 150; rate += 0.1) {
      const m = strokesPerBlock(rate, true);
      expect(m / rate).toBeLessThanOrEqual(0.048);
      expect(SAMPLES_PER_BLOCK / m).toBeGreaterThanOrEqual(16);
      expect(SAMPLES_PER_BLOCK % m).toBe(0);
      expect(SAMPLES_PER_BLOCK % Math.min(m, START_STROKES)).toBe(0);
    }
    expect(strokesPerBlock(150, true)).toBe(6);
    expect(START_STROKES).toBeLessThanOrEqual(3);
  });

  it('finds the mean bottom within 2 µm whatever the sub-sample phase, at every block size', () => {
    for (const rate of [50, 80, 120, 150]) {
      const n = SAMPLES_PER_BLOCK / strokesPerBlock(rate, true);
      for (let phase = 0; phase < n; phase += 0.37) {
        const a = new BlockAnalysis(convolve);
        a.configure(strokesPerBlock(rate, true));
        for (let k = 0; k < 3; k++) a.analyse(block(rate, () => 1.2, phase)); // the phase is found, then followed
        expect(Math.abs(mmOf(a.mean) - 1.2)).toBeLessThan(0.002);
        // the retracted end is a coarse figure (travel, a frozen sensor): the sample half a stroke away
        expect(Math.abs(mmOf(a.lo) + 0.8)).toBeLessThan(0.1);
        // the bottom phase it used is the nearest sample to the true bottom (modulo a stroke)
        expect(Math.abs(((((a.at - phase) % n) + n + n / 2) % n) - n / 2)).toBeLessThanOrEqual(0.5 + 1e-9);
      }
    }
  });

  it('follows a bottom that drifts by a fraction of a sample per block', () => {
    const a = new BlockAnalysis(convolve);
    a.configure(strokesPerBlock(150, true));
    let phase = 2;
    for (let k = 0; k < 200; k++) {
      phase = (phase + 0.3) % (SAMPLES_PER_BLOCK / strokesPerBlock(150, true));
      a.analyse(block(150, () => 1.0, phase));
      if (k > 2) expect(Math.abs(mmOf(a.mean) - 1.0)).toBeLessThan(0.004);
    }
  });

  it('bounds every stroke\'s bottom: a deep stroke among shallow ones is never under-read', () => {
    const a = new BlockAnalysis(convolve);
    for (const rate of [60, 100, 150]) {
      const n = SAMPLES_PER_BLOCK / strokesPerBlock(rate, true);
      for (let phase = 0; phase < n; phase += 0.25) {
        a.configure(strokesPerBlock(rate, true));
        const depths = (j: number) => (j === strokesPerBlock(rate, true) - 1 ? 2.1 : 1.0);
        a.analyse(block(rate, depths, phase));
        a.analyse(block(rate, depths, phase));
        expect(mmOf(a.top)).toBeGreaterThanOrEqual(2.1 - 0.002);
        expect(mmOf(a.top)).toBeLessThan(2.1 + 0.02);
        // and the mean is the strokes' mean
        const m = strokesPerBlock(rate, true);
        expect(Math.abs(mmOf(a.mean) - (1.0 * (m - 1) + 2.1) / m)).toBeLessThan(0.01);
      }
    }
  });

  it('each stroke\'s bottom from its sample at the bottom phase plus the fit', () => {
    const a = new BlockAnalysis(convolve);
    a.configure(strokesPerBlock(150, true));
    const depths = (j: number) => 1.0 + 0.01 * j;
    const buf = block(150, depths, 3.4);
    a.analyse(buf);
    a.analyse(buf);
    for (let j = 0; j < a.m; j++) expect(Math.abs(mmOf(buf[a.at + j * a.n] + a.corr) - depths(j))).toBeLessThan(0.003);
  });

  it('a flat block (frozen sensor) reads hi = lo and looks for the bottom again', () => {
    const a = new BlockAnalysis(convolve);
    a.configure(strokesPerBlock(100, true));
    a.analyse(new Uint16Array(SAMPLES_PER_BLOCK).fill(30000));
    expect(a.hi).toBe(30000);
    expect(a.lo).toBe(30000);
    expect(a.corr).toBe(0);
    expect(a.p).toBe(-1);
  });

  it('a sensor failing mid-block cannot throw the fit beyond a sample', () => {
    const a = new BlockAnalysis(convolve);
    a.configure(strokesPerBlock(150, true));
    const good = block(150, () => 1.0, 4);
    a.analyse(good);
    const bad = good.slice();
    for (let i = 40; i < SAMPLES_PER_BLOCK; i++) bad[i] = 131;
    a.analyse(bad);
    expect(mmOf(a.top)).toBeLessThan(1.0 + 0.08);
  });

  // Preset switching while running (HIL report): a block sampled for 120 strokes/s while the
  // strokes came at 90/s read 2.265 mm when the deepest stroke was 1.53 mm. A segment that ends
  // on the rising flank of a stroke threw the parabola's vertex far beyond its samples.
  it('a block whose strokes do not fit its segments (rate changed under the sampling) never reads more than 20 µm beyond its samples', () => {
    const a = new BlockAnalysis(convolve);
    const raw = (mm: number) => Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);
    for (const ratio of [90 / 120, 110 / 120, 120 / 90, 1.37]) {
      for (let phase = 0; phase < 1; phase += 0.05) {
        a.configure(strokesPerBlock(100, true));
        const n = SAMPLES_PER_BLOCK / a.m;
        const buf = new Uint16Array(SAMPLES_PER_BLOCK);
        for (let i = 0; i < buf.length; i++) {
          const mm = -0.8 + ((1.53 + 0.8) * (1 - Math.cos(((i * ratio) / n + phase) * 2 * Math.PI))) / 2;
          buf[i] = raw(mm);
        }
        a.analyse(buf);
        a.analyse(buf);
        expect(mmOf(a.top)).toBeLessThan(1.53 + 0.02);
        expect(mmOf(a.mean)).toBeLessThan(1.53 + 0.02);
        for (let j = 0; j < a.m; j++) expect(mmOf(buf[a.at + j * n] + a.corr)).toBeLessThan(1.53 + 0.02);
      }
    }
  });

  it('the bound never reads a stroke shallower than its deepest sample: a real deep stroke is always seen', () => {
    const a = new BlockAnalysis(convolve);
    const raw = (mm: number) => Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);
    for (const rate of [60, 100, 150]) {
      a.configure(strokesPerBlock(rate, true));
      const s = SAMPLES_PER_BLOCK / a.m;
      for (let phase = 0; phase < 1; phase += 0.05) {
        const buf = new Uint16Array(SAMPLES_PER_BLOCK);
        let deepest = 0;
        for (let i = 0; i < buf.length; i++) {
          // one stroke of the block goes to 2.12 mm (beyond a 2.0 mm limit + 0.05), the others to 1.0 mm
          const bottom = Math.floor(i / s) === 1 ? 2.12 : 1.0;
          buf[i] = raw(-0.8 + ((bottom + 0.8) * (1 - Math.cos(((i + phase) / s) * 2 * Math.PI))) / 2);
          if (buf[i] > deepest) deepest = buf[i];
        }
        a.analyse(buf);
        expect(a.top).toBeGreaterThanOrEqual(deepest);
        expect(mmOf(a.top)).toBeGreaterThan(2.1);
      }
    }
  });

  // HIL report: a noisy Hall sensor (σ 0.03 FS) went unnoticed. A stroke is smooth; noise on
  // every sample makes the signal rough. A smooth stroke's RMS second difference grows with
  // (2π/N)²: ≈ 0.01 FS at 24 samples per stroke, 0.022 FS at 16 (150/s, 6-stroke blocks) for this
  // 2.3 mm swing; the pen's threshold is 0.035 FS (LIMITS.hallRoughRaw).
  it('measures the signal\'s roughness: under 0.025 FS for real strokes at every block length, ≥ 0.05 FS with 0.03 FS of noise', () => {
    let seed = 7;
    const gauss = () => {
      // Box–Muller on a small LCG: a repeatable test
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const u = (seed + 1) / 2147483649;
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const v = (seed + 1) / 2147483649;
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    };
    const a = new BlockAnalysis(convolve);
    for (const rate of [60, 100, 150]) {
      a.configure(strokesPerBlock(rate, true));
      const s = SAMPLES_PER_BLOCK / a.m;
      for (const sigma of [0, 0.0008, 0.03]) {
        for (let trial = 0; trial < 20; trial++) {
          const buf = new Uint16Array(SAMPLES_PER_BLOCK);
          for (let i = 0; i < buf.length; i++) {
            const mm = -0.8 + (2.3 * (1 - Math.cos(((i + 0.37 * trial) / s) * 2 * Math.PI))) / 2;
            const fs = HALL.offset + mm / HALL.mmPerUnit + sigma * gauss();
            buf[i] = Math.max(0, Math.min(65535, Math.round(fs * 65535)));
          }
          const r = a.roughness(buf) / 65535;
          if (sigma < 0.01) expect(r).toBeLessThan(0.025);
          else expect(r).toBeGreaterThan(0.05);
        }
      }
    }
  });
});
