// Stroke-rate loop of the stepper variant. The cam's once-per-revolution index gives the
// true revolution period; a PI on it trims the STEP frequency (a hardware PWM) within
// ±10 % of the feed-forward. The STEP frequency never jumps: the hardware layer ramps it
// (camRampHz) within the motor's pull-in and pull-out limits, and this loop only runs once
// the ramp has arrived. A cam turning much slower than commanded is slipping poles: the
// pen latches STALL rather than pushing harder. Stopping brakes the cam onto a chosen step
// (camBrakeHz): its retracted phase, where the needle is inside the cartridge.

/** STEP frequency a stopped cam starts at, and stops from within a step, Hz: pull-in from standstill is ~4 kHz (docs/hardware.md), with margin. */
export const CAM_START_HZ = 2500;
/**
 * Ramp slope, Hz/s: 0 → 150 strokes/s (20 kHz) in 90 ms, the run's soft start. The motor's
 * pull-out torque over the rotor and cam inertia allows ~2.7 MHz/s at 50 rev/s (docs/hardware.md);
 * this uses under a tenth of it, leaving the torque to the cam's load and a sagging supply.
 */
export const CAM_RAMP_HZ_PER_S = 200000;
/** The ramp and the brake change the STEP frequency this often, ms. */
export const CAM_TICK_MS = 1;
/** Largest STEP frequency change in one ramp tick, Hz. */
export const CAM_RAMP_STEP_HZ = (CAM_RAMP_HZ_PER_S * CAM_TICK_MS) / 1000;
/** Braking onto a step (a stop, a fault), Hz/s: from 150 strokes/s in 20 ms, about 2/5 of the pull-out torque at speed. */
export const CAM_BRAKE_HZ_PER_S = 1000000;
/** Revolution period this much longer than commanded (after the ramp) means lost steps. */
export const CAM_SLIP_RATIO = 1.15;

/** The STEP frequency one ramp tick after `f` on the way to `target` (0 = stop): never a jump beyond CAM_RAMP_STEP_HZ. */
export function camRampHz(f: number, target: number): number {
  if (f <= 0) return target < CAM_START_HZ ? target : CAM_START_HZ;
  if (target <= 0) return f - CAM_RAMP_STEP_HZ <= CAM_START_HZ ? 0 : f - CAM_RAMP_STEP_HZ;
  if (target > f) return target - f > CAM_RAMP_STEP_HZ ? f + CAM_RAMP_STEP_HZ : target;
  return f - target > CAM_RAMP_STEP_HZ ? f - CAM_RAMP_STEP_HZ : target;
}

/**
 * Braking onto a step `remaining` steps ahead: the STEP frequency for the next tick from `f`,
 * never faster than `f` and never so fast that the cam could not stop at CAM_BRAKE_HZ_PER_S.
 * At CAM_START_HZ or below the cam stops within a step: the hardware layer then steps out
 * the remaining steps at that rate and stops on the last one (0 here).
 */
export function camBrakeHz(f: number, remaining: number): number {
  if (remaining <= 0) return 0;
  const v = Math.sqrt(2 * CAM_BRAKE_HZ_PER_S * remaining);
  const next = v < f ? v : f;
  return next > CAM_START_HZ ? next : 0;
}

/** Steps a cam at `f` Hz needs to brake to standstill (to CAM_START_HZ, then a step). */
export function camBrakeSteps(f: number): number {
  return f > CAM_START_HZ ? Math.ceil((f * f - CAM_START_HZ * CAM_START_HZ) / (2 * CAM_BRAKE_HZ_PER_S)) : 0;
}

/** How long a ramp from `f` to `target` takes, ms. */
export function camRampMs(f: number, target: number): number {
  let n = 0;
  while (f !== target && n < 100000) {
    f = camRampHz(f, target);
    n++;
  }
  return n * CAM_TICK_MS;
}

/** The cam speed loop of a stepper pen (the class is made here: no RAM on a voice-coil pen, docs/control.md Budgets). */
export function createCamSpeedController(stepsPerRev: number, lobes: number) {
  class CamSpeedController {
    stepsPerRev: number;
    lobes: number;
    kp = 0.3;
    ki = 0.3;
    openLoop = false;
    private ffFreq = 0;
    private integ = 0;
    private targetPeriod = 0;
    /** the last measured revolution period, s (0: none yet) */
    measured = 0;

    constructor(stepsPerRev: number, lobes: number) {
      this.stepsPerRev = stepsPerRev;
      this.lobes = lobes;
    }

    /** STEP frequency (Hz) for a stroke rate, with what the loop learned so far at this rate. */
    configure(rate: number): number {
      const ff = (rate / this.lobes) * this.stepsPerRev;
      if (ff !== this.ffFreq) this.integ = 0;
      this.ffFreq = ff;
      this.targetPeriod = this.lobes / rate;
      this.measured = 0;
      return ff + this.integ;
    }

    /** Measured revolution period (s) over the last block: the STEP frequency for the next block. */
    update(period: number): number {
      this.measured = period;
      if (this.openLoop || !(period > 0)) return this.ffFreq + this.integ;
      // relative speed error: positive when the cam turns too slowly
      const e = (period - this.targetPeriod) / this.targetPeriod;
      const lim = 0.1 * this.ffFreq;
      let integ = this.integ + this.ki * e * this.ffFreq;
      integ = integ > lim ? lim : integ < -lim ? -lim : integ;
      this.integ = integ;
      return this.ffFreq + integ + this.kp * e * this.ffFreq;
    }

    /** Expected revolution period at the set rate (s). */
    period(): number {
      return this.targetPeriod;
    }
  }
  return new CamSpeedController(stepsPerRev, lobes);
}

export type CamSpeedController = ReturnType<typeof createCamSpeedController>;
