// Turns one block of Hall samples into the figures the pen decides on, with a handful of
// native calls and no per-sample or per-stroke JavaScript.
//
// Sampling is phase-locked to the strokes: the Waveform samples at N × the stroke rate,
// so a block of SAMPLES_PER_BLOCK samples holds exactly M = SAMPLES_PER_BLOCK / N strokes
// and every stroke's bottom sits at the same sample phase p (mod N). E.convolve with a
// comb (a 1 every N samples) then sums the M samples at one phase in one native call:
// - the sums at p−1, p, p+1 give the mean stroke's bottom (a three-point sinusoid fit:
//   exact for the cam's cosine stroke, sub-sample for the coil's);
// - each stroke's sample at the bottom phase (M reads) gives the deepest bottom (depth limit,
//   sensor range), and one sample half a stroke away the retracted end (travel, stuck sensor).
// p is found once after a restart (indexOf the block maximum) and then tracked: when the
// fit puts the bottom more than half a sample away, p moves one sample for the next block.
// The strokes of a block share their phase, so the deepest stroke's bottom lies above the
// deepest sample by the mean stroke's fit scaled to its swing: `top` bounds every bottom.
// Everything stays in raw units (0..65535); the pen converts with precomputed factors.

/** Σ a[i]·b[(i + offset) mod b.length] over a: Espruino's native E.convolve (the hardware layer passes it in). */
export type Convolve = (a: Uint8Array | Uint16Array, b: Uint16Array, offset: number) => number;

/** Samples per block: buffers are allocated once at boot. */
export const SAMPLES_PER_BLOCK = 96;

/**
 * Strokes per block at a stroke rate: blocks of 27–48 ms. Stepper: 2, 3 or 4 strokes (48, 32 or
 * 24 samples per stroke). Voice coil (`coil`, and the bench build): 2, 3 or 6 (48, 32 or 16): at
 * 125/s and above a block holds 6 strokes, because the per-block work is what the control-CPU
 * budget counts and blocks of 4 strokes cannot fit it (docs/control.md "Budgets"); the accuracy
 * matrix holds at 6 (8 thinned its margins, 12 failed it: the ±0.2 mm hand wobble at 2–5 Hz is
 * rejected less). The loops decide once per block.
 */
export function strokesPerBlock(rate: number, coil?: boolean): number {
  return rate < 75 ? 2 : rate < 125 ? 3 : coil ? 6 : 4;
}

/**
 * Strokes in the first block of a voice-coil run, at most: the soft start's first correction
 * lands within the 5 settling strokes (with a first block of 6 strokes at 150/s the 6th stroke was
 * still 0.29 mm short); then the steady length (Pen restarts the sampling).
 */
export const START_STROKES = 3;

/**
 * Most the fit lifts the bottom above its samples at 24 samples per stroke, raw units (0.003 FS
 * ≈ 17 µm); it scales with 1 − cos(π/N), what a bottom half a sample off its vertex gains (at 16
 * samples per stroke 0.0067 FS ≈ 38 µm).
 */
const CORR_CAP_24 = 197;

export class BlockAnalysis {
  /** strokes per block, samples per stroke */
  m = 4;
  n = 24;
  /** sample phase of the stroke bottom, -1: find it in the next block */
  p = -1;
  /** the phase this block's bottoms were taken at (buf[at + j·n] is stroke j's bottom sample) */
  at = 0;
  /**
   * the strokes are phase-locked to the sampling by construction (voice coil: the stroke clock
   * and the sampling run at the same rate from the same start); a stepper's cam ramps and slips:
   * its deepest sample is looked for over the whole block
   */
  locked = false;
  /** deepest stroke's sample at the bottom phase when locked, else (and after a restart) the block's deepest sample, raw */
  hi = 0;
  /**
   * shallowest stroke's sample at the bottom phase when locked (after a restart, the block's
   * lowest sample), else hi, raw: every stroke's bottom must be on the sensor's scale, not only
   * the deepest (a Hall that fails low mid-block reads as strokes far short, and the loop would
   * drive hard against them)
   */
  bot = 0;
  /** the first stroke's sample half a stroke from the bottom (the retracted end), raw */
  lo = 0;
  /** mean bottom of stroke, raw, sub-sample (the controlled quantity) */
  mean = 0;
  /** how much the fitted bottom lies above the samples at phase p, raw (≥ 0): add to a sample at p for its stroke's bottom */
  corr = 0;
  /** no stroke of the block bottoms out deeper than this, raw (the depth-limit check) */
  top = 0;
  private comb = new Uint8Array(SAMPLES_PER_BLOCK);
  private cv: Convolve;
  /** per configuration: 1/M, N/2, the fit's factors 1/(2(cos h − 1)), 1/(2 sin h), and 1 − cos(h/2), 1 − cos h */
  private im = 1;
  private half = 12;
  private kc = 0;
  private ks = 0;
  private q1 = 0;
  private q2 = 0;
  /** CORR_CAP_24 at this block's samples per stroke */
  private cap = CORR_CAP_24;

  constructor(convolve: Convolve) {
    this.cv = convolve;
  }

  /** New block length (a new stroke rate, or the end of a run's short first blocks; blocks restart): M strokes per block, the comb, and the bottom to be found again. */
  configure(m: number): void {
    const n = SAMPLES_PER_BLOCK / m;
    this.m = m;
    this.n = n;
    this.p = -1;
    this.im = 1 / m;
    this.half = n / 2;
    const c = this.comb;
    c.fill(0);
    for (let i = 0; i < SAMPLES_PER_BLOCK; i += n) c[i] = 1;
    const h = (2 * Math.PI) / n;
    this.kc = 1 / (2 * (Math.cos(h) - 1));
    this.ks = 1 / (2 * Math.sin(h));
    this.q1 = 1 - Math.cos(h / 2);
    this.q2 = 1 - Math.cos(h);
    this.cap = (CORR_CAP_24 * this.q1) / (1 - Math.cos(Math.PI / 24));
  }

  /**
   * RMS second difference of the block's samples, raw units: three native lag products
   * (Σ(x[i+1] − 2x[i] + x[i−1])² = 6R0 − 8R1 + 2R2 around the block, which ends where it
   * starts: whole strokes). A smooth stroke stays near 0.01 FS (A·h²/√2 for a swing A at
   * h = 2π/N); noise σ on every sample adds σ·√6 (0.073 FS at σ 0.03 FS; the sensor's own
   * 0.0008 FS adds 0.002).
   */
  roughness(buf: Uint16Array): number {
    const cv = this.cv;
    const d2 = (6 * cv(buf, buf, 0) - 8 * cv(buf, buf, 1) + 2 * cv(buf, buf, 2)) / SAMPLES_PER_BLOCK;
    return d2 > 0 ? Math.sqrt(d2) : 0;
  }

  /**
   * Analyse one block (fills hi, lo, mean, corr, top, at). Runs every block: short on
   * purpose (Espruino reads the text of every statement it runs, or skips, each time).
   */
  analyse(buf: Uint16Array): void {
    const c = this.comb;
    const cv = this.cv;
    const n = this.n;
    let p = this.p;
    let hi = 0;
    let bot = 65535;
    if (p < 0 || !this.locked) {
      hi = Math.max.apply(null, buf as any);
      bot = this.locked ? Math.min.apply(null, buf as any) : hi;
      if (p < 0) p = buf.indexOf(hi) % n;
    } else if (n === 16) {
      // each stroke's sample at the bottom phase, written out for the 6-stroke blocks of the
      // rates the CPU budget is about (a JavaScript loop costs ≈ 3× as much on the interpreter)
      const b = buf;
      hi = Math.max(b[p], b[p + 16], b[p + 32], b[p + 48], b[p + 64], b[p + 80]);
      bot = Math.min(b[p], b[p + 16], b[p + 32], b[p + 48], b[p + 64], b[p + 80]);
    } else for (let i = p; i < SAMPLES_PER_BLOCK; i += n) {
      if (buf[i] > hi) hi = buf[i];
      if (buf[i] < bot) bot = buf[i];
    }
    this.bot = bot;
    this.at = p;
    // the per-stroke mean of the samples at the bottom phase (the comb sum)
    const im = this.im;
    const y0 = cv(c, buf, p) * im;
    const lo = buf[p + this.half];
    // the means either side (the comb sum wraps around the block: offset p + n − 1 is phase p − 1)
    const yl = cv(c, buf, p + n - 1) * im;
    const yr = cv(c, buf, p + 1) * im;
    // the mean stroke near its bottom: y_k = C + A·cos(φ + k·h), k = -1, 0, 1
    const ac = (yl + yr - 2 * y0) * this.kc;
    const as = (yl - yr) * this.ks;
    const a = Math.sqrt(ac * ac + as * as);
    let corr = a - ac;
    if (!(ac > 0)) {
      // no bottom at p: find it again
      corr = 0;
      p = -1;
    } else if (corr > a * this.q1) {
      // the bottom lies more than half a sample from p: follow it next block; beyond the
      // neighbours the fit would extrapolate, so at most a sample's worth (a step in the data,
      // e.g. a sensor failing mid-block, cannot throw it far)
      if (corr > a * this.q2) corr = a * this.q2;
      p = (p + (as > 0 ? n - 1 : 1)) % n;
    }
    // a real bottom sampled half a sample off its vertex gains at most ≈ 11 µm at 24 samples
    // per stroke: never more than 0.003 FS (≈ 17 µm) above the samples there (cap)
    const cap = this.cap;
    if (corr > cap) corr = cap;
    this.p = p;
    this.corr = corr;
    this.hi = hi;
    this.lo = lo;
    this.mean = y0 + corr;
    // the deepest stroke shares the phase and is larger: its fit scales with its swing (and is
    // capped as well: a stroke of the limit's 3.2 mm swing gains at most ≈ 14 µm)
    const lift = y0 > lo ? (corr * (hi - lo)) / (y0 - lo) : 0;
    this.top = hi + (lift < cap ? lift : cap);
  }
}
