// Stroke-to-stroke depth control for the voice coil.
// Once per block (a few strokes) it compares the measured bottom-of-stroke protrusion
// with the setpoint and sets the drive for the next block:
//   u = u_ff(depth, rate) + I + (Kp/a)·e,   I += (Ki/a)·e (with anti-windup)
// where a is the model's mm-per-drive at this rate, so Kp and Ki are dimensionless
// loop gains (the fraction of the error corrected per block), the same at every rate.
// u is the drive normalised to the nominal supply and the calibrated coil resistance:
// duty = u·(Vnom/Vsupply)·(R(T)/Rcal), so u stands for the coil current, hence the force,
// whatever the battery and the coil temperature (control/coil-temperature.ts).
// The integral is remembered per stroke-rate bin (iterative learning): a run that
// returns to a rate starts from what the last run there learned, not from zero.
// Below 125 strokes/s the loop also drives against the hand wobble's predicted change over the
// next block (predictDelta: an AR(4) on the disturbance's changes), which a loop correcting
// from the last block lags (docs/control.md "Wobble prediction").
// The output limit u_max is the drive that would put the needle at the hard depth
// limit in air, where nothing resists it: no command can ask for more, prediction included.
import { StrokeModel, interpolate } from './calibration';

export const NOMINAL_SUPPLY_V = 7.4;
/** Measured depth this far below the in-air prediction means the needle met skin. */
export const SKIN_RESIDUAL_MM = 0.02;
/**
 * Soft start: the first block drives at this fraction of the learned drive. The first stroke
 * from rest overshoots the steady stroke at that drive (the actuator's step response: +0.1 mm
 * at 120/s, +0.2–0.3 mm at 150/s), so it needs this margin to stay short of the setpoint.
 */
export const SOFT_START_FRACTION = 0.9;
/**
 * From this rate (6-stroke blocks) the soft start allows for the step response: well above the
 * resonance (≈ 87 Hz) the first stroke after a drive step overshoots the new steady stroke by
 * 0.12–0.155 of the step at 150/s, and a run from rest is a step from the retracted needle.
 */
export const STEP_FROM_RATE = 125;
/** There the start drive is SOFT_START_FRACTION/(1 + this) of the learned drive, the first correction 1/(1 + this/2) of the error. */
export const STEP_ALLOWANCE = 0.06;
/**
 * Most the drive may rise from one block to the next, as depth in air, mm. A drive step rings
 * (above): the first stroke after it goes up to 0.155 of the step past its new steady depth. A
 * block that reads far short (a Hall freezing mid-block at 125/s read 1 mm short) would
 * otherwise step the drive to its limit, and that stroke went to 2.028 mm against a 2 mm hard
 * limit before the fault latched a block later.
 */
export const MAX_STEP_UP_MM = 0.3;
/** Kept between the hard limit and the output limit for that ring (0.155 × MAX_STEP_UP_MM), mm. */
export const RING_MARGIN_MM = 0.05;
/** Blocks with the drive saturated and the depth short before warning "depth not reached". */
export const NOT_REACHED_BLOCKS = 4;
/**
 * Wobble prediction (hand pressure at 1–5 Hz): below this rate (blocks of 2–3 strokes) the loop
 * adds the disturbance's predicted change. At 6-stroke blocks it is off: the control CPU at
 * 150/s is over its budget already (on there, the bench's 150/s RMS fell 18.7 -> 15.9 µm, the
 * worst stroke did not move).
 */
export const PREDICT_BELOW_RATE = 125;
/** Forgetting factor of the predictor's correlations, per block (memory ≈ 1/(1 − f) blocks). */
export const PREDICT_FORGET = 0.95;
/**
 * The forgotten sums of x[n]·x[n−k] weighted by LAG^k (LAG² = PREDICT_FORGET) are the autocorrelation
 * of the exponentially windowed changes, a true (positive definite) one: without it the sums are not
 * a Toeplitz sequence and a tone 5 blocks a period gave a reflection of −2.3 once a period.
 */
const LAG = Math.sqrt(PREDICT_FORGET);
/** Added to the predictor's zero-lag correlation, mm²: changes of a few µm (the sensor's noise) predict little. */
export const PREDICT_RIDGE = 2e-5;

export class VoiceCoilDepthController {
  model: StrokeModel;
  kp: number;
  ki: number;
  setMm = 1;
  limitMm = 2;
  rate = 100;
  /** loop open: drive = feed-forward only (the "today's machines" comparison in benchmarks) */
  openLoop = false;
  /** coil resistance now over the calibrated one (coil-temperature.ts resistanceFactor) */
  coilFactor = 1;
  private gainNow = 1;
  private offsetNow = 0;
  private uFf = 0;
  private uMax = 0;
  /** MAX_STEP_UP_MM as drive at this rate */
  private stepUp = 0;
  private integ = 0;
  private learned: number[];
  private bin = 0;
  private u = 0;
  private saturatedBlocks = 0;
  private blocksRun = 0;
  /**
   * The next update is a first correction after the stroke clock (re)started: a run's soft start,
   * or a new rate while running. The first stroke after a restart is the actuator's step response,
   * not the steady stroke (at 120 -> 90 /s it fell 0.14 mm short), so that block's mean misleads.
   */
  firstStep = false;
  /** the last block's verdicts: the needle met skin; the depth is short with the drive at its limit */
  inSkin = false;
  notReached = false;
  /** per operating point: Ki/a, Kp/a (dimensionless gains over the model's mm per drive) */
  private kia = 0;
  private kpa = 0;
  /** Ki/a for the soft start's first correction (Ki at most 1) */
  private kia1 = 0;
  /** the soft start's allowance for the step response at this rate (STEP_ALLOWANCE or 0) */
  private over = 0;
  /** the drive term of the last wobble prediction (predictDelta), which the integral must not learn */
  private q = 0;
  /**
   * The wobble predictor's state (predictDelta): the last disturbance estimate, its last four
   * changes and their forgotten correlations at lags 0–4; set by configure (no JsVars before a run).
   */
  private dLast!: number;
  private x1!: number;
  private x2!: number;
  private x3!: number;
  private x4!: number;
  private r0!: number;
  private r1!: number;
  private r2!: number;
  private r3!: number;
  private r4!: number;
  private predicting!: boolean;

  constructor(model: StrokeModel, kp: number, ki: number) {
    this.model = model;
    this.kp = kp;
    this.ki = ki;
    this.learned = [];
    for (let i = 0; i < model.rates.length; i++) this.learned.push(0);
  }

  /** New setpoint, limit or rate: recompute the per-operating-point terms once, not per block. */
  configure(setMm: number, limitMm: number, rate: number): void {
    if (this.blocksRun > 3) this.learned[this.bin] = this.integ;
    // a new rate restarts the stroke clock: its first block is corrected as the soft start's is
    if (rate !== this.rate) this.firstStep = true;
    this.setMm = Math.min(setMm, limitMm);
    this.limitMm = limitMm;
    this.rate = rate;
    const m = this.model;
    this.gainNow = interpolate(m.rates, m.gain, rate);
    this.offsetNow = interpolate(m.rates, m.offset, rate);
    this.uFf = (this.setMm - this.offsetNow) / this.gainNow;
    this.kia = this.ki / this.gainNow;
    this.kpa = this.kp / this.gainNow;
    this.over = rate < STEP_FROM_RATE ? 0 : STEP_ALLOWANCE;
    // there the first correction's duty step overshoots in its turn: it steps 1/(1 + over/2) of the error
    this.kia1 = (this.ki < 1 ? this.ki : 1) / this.gainNow / (1 + this.over / 2);
    this.uMax = (limitMm - RING_MARGIN_MM - this.offsetNow) / this.gainNow;
    this.stepUp = MAX_STEP_UP_MM / this.gainNow;
    let best = 0;
    for (let i = 1; i < m.rates.length; i++) if (Math.abs(m.rates[i] - rate) < Math.abs(m.rates[best] - rate)) best = i;
    this.bin = best;
    this.integ = this.learned[best];
    // a new operating point starts the wobble predictor afresh (its first blocks are transients)
    this.predicting = rate < PREDICT_BELOW_RATE && !this.openLoop;
    this.x1 = this.x2 = this.x3 = this.x4 = this.r0 = this.r1 = this.r2 = this.r3 = this.r4 = this.q = 0;
    this.dLast = NaN;
  }

  /** Drive for the first block of a run (soft start from below the learned drive). */
  start(supplyV: number): number {
    this.saturatedBlocks = 0;
    this.blocksRun = 0;
    this.firstStep = true;
    this.u = Math.min(this.uMax, Math.max(0, ((this.uFf + this.integ) * SOFT_START_FRACTION) / (1 + this.over)));
    // the loop carries on from where the soft start put it, so it closes from below
    this.integ = this.u - this.uFf;
    return this.toDuty(this.u, supplyV);
  }

  /** After configure() while running: the drive for the new operating point, from what is known there. */
  retuneDuty(supplyV: number): number {
    const uLimit = Math.min(this.uMax, supplyV / (NOMINAL_SUPPLY_V * this.coilFactor));
    const u = this.uFf + this.integ;
    this.u = u > uLimit ? uLimit : u < 0 ? 0 : u;
    return this.toDuty(this.u, supplyV);
  }

  private toDuty(u: number, supplyV: number): number {
    const d = (u * NOMINAL_SUPPLY_V * this.coilFactor) / supplyV;
    return d > 1 ? 1 : d < 0 ? 0 : d;
  }

  /**
   * One block measured at `peakMm` (the mean of its strokes) while driven at the previous
   * output: the next block's duty (sets inSkin and notReached). `settledMm`, the block's last
   * stroke, is the one least touched by a transient (the first stroke from rest, or after a
   * rate change, is deeper or shallower than the steady stroke, by rate): the first correction
   * after the stroke clock (re)started (firstStep) uses it, with a gain of at most 1 (a ki above
   * 1 overshot the soft start's step by 50–60 µm at 1.5 mm), so the loop closes from below.
   * Runs every block: kept short.
   */
  update(peakMm: number, supplyV: number, settledMm: number): number {
    // what the needle would have reached in air with the drive it had
    this.inSkin = this.gainNow * this.u + this.offsetNow - peakMm > SKIN_RESIDUAL_MM;
    let e = this.setMm - peakMm;
    let kia = this.kia;
    let kpa = this.kpa;
    let pred = this.predicting;
    if (this.firstStep) {
      this.firstStep = false;
      // a step response, not the wobble: the predictor starts from the next block
      pred = false;
      e = this.setMm - settledMm;
      kia = this.kia1;
      kpa = 0;
    }
    // u stands for the coil current: the supply and the coil's resistance now set the most it can be
    const vk = NOMINAL_SUPPLY_V * this.coilFactor;
    const lim = supplyV / vk < this.uMax ? supplyV / vk : this.uMax;
    // without a prediction (6-stroke blocks, where the CPU budget is counted; the first
    // correction, where configure has just zeroed q) the plain PI, nothing more
    let integ: number;
    let q = 0;
    if (pred) {
      // the integral learns the disturbance without the part the last prediction already took out
      integ = this.integ + kia * (e + this.gainNow * this.q);
      q = this.predictDelta(peakMm);
    } else integ = this.integ + kia * e;
    let u = this.uFf + integ + kpa * e + q;
    // once the run has settled (the soft start's corrections are larger, and shaped for the ring
    // already) the step up is capped, so its ring stays inside the margin
    const up = this.u + this.stepUp;
    const cap = this.blocksRun > 3 && up < lim ? up : lim;
    // anti-windup: no integration into a limit
    if (u > cap) {
      u = cap;
      if (e > 0) integ = this.integ;
    } else if (u < 0) {
      u = 0;
      if (e < 0) integ = this.integ;
    }
    if (this.openLoop) {
      u = this.uFf < this.uMax ? this.uFf : this.uMax;
      integ = this.integ;
    }
    this.integ = integ;
    this.u = u;
    this.q = q;
    this.blocksRun++;
    this.saturatedBlocks = u >= lim && e > 0.02 ? this.saturatedBlocks + 1 : 0;
    this.notReached = this.saturatedBlocks >= NOT_REACHED_BLOCKS;
    const d = (u * vk) / supplyV;
    return d > 1 ? 1 : d;
  }

  /**
   * The drive term for the disturbance's predicted change over the next block. The disturbance
   * d = measured − gain·u (what the model does not explain; the offset drops out of its changes);
   * its changes x follow an AR(4) model x[n+1] = a1·x[n] + … + a4·x[n−3] (the wobble's
   * fundamental and its first harmonic: skin that lets go of the needle clips the wobble),
   * whose coefficients the Levinson recursion solves from exponentially forgotten correlations
   * r0…r4 (Yule–Walker): stable whatever the data, it follows the wobble's frequency and
   * shrinks towards no prediction on noise (the ridge, the skill weight) and right after a
   * step (its change enters r0 before it is extrapolated).
   */
  private predictDelta(peakMm: number): number {
    const d = peakMm - this.gainNow * this.u;
    const x = d - this.dLast;
    this.dLast = d;
    if (!(x === x)) return 0;
    const f = PREDICT_FORGET;
    const x1 = this.x1;
    const x2 = this.x2;
    const x3 = this.x3;
    const r0 = (this.r0 = f * this.r0 + x * x) + PREDICT_RIDGE;
    const r1 = LAG * (this.r1 = f * this.r1 + x * x1);
    const r2 = f * (this.r2 = f * this.r2 + x * x2);
    const r3 = LAG * f * (this.r3 = f * this.r3 + x * x3);
    const r4 = f * f * (this.r4 = f * this.r4 + x * this.x4);
    this.x4 = x3;
    this.x3 = x2;
    this.x2 = x1;
    this.x1 = x;
    // Levinson: order k's coefficients from order k−1's and the reflection k; e the prediction error power
    const a = r1 / r0;
    let e = r0 - a * r1;
    const k2 = (r2 - a * r1) / e;
    const b1 = a - k2 * a;
    e *= 1 - k2 * k2;
    const k3 = (r3 - b1 * r2 - k2 * r1) / e;
    const c1 = b1 - k3 * k2;
    const c2 = k2 - k3 * b1;
    e *= 1 - k3 * k3;
    const k4 = (r4 - c1 * r3 - c2 * r2 - k3 * r1) / e;
    // a reflection beyond ±1 (rounding) would be an unstable model; NaN (no changes yet): predict nothing
    if (!(a * a < 1 && k2 * k2 < 1 && k3 * k3 < 1 && k4 * k4 < 1)) return 0;
    // scaled by its skill: 1 − E4/r0 is the share of the changes' power it predicts (a tone ≈ 1,
    // white noise ≈ 0.4), doubled and capped at 1 (without it scar's worst stroke grew 110 -> 122 µm)
    const w = 2 - (2 * e * (1 - k4 * k4)) / r0;
    return ((w > 1 ? -1 : -w) * ((c1 - k4 * k3) * x + (c2 - k4 * c2) * x1 + (k3 - k4 * c1) * x2 + k4 * x3)) / this.gainNow;
  }

  /** End of a run: keep what was learned at this rate. */
  stop(): void {
    if (this.blocksRun > 3) this.learned[this.bin] = this.integ;
  }

  /** A run that ended in a fault: forget what it learned (it may have learned the fault, e.g. an open coil). */
  abandon(): void {
    this.integ = this.learned[this.bin];
    this.blocksRun = 0;
  }

  /** Normalised drive now (for telemetry and the thermal estimate). */
  drive(): number {
    return this.u;
  }
}
