// Depth loop of the stepper variant. The lead-screw stage sets where the cam's stroke
// ends: position = feed-forward (calibration: depthAtHome, stepsPerMm) + a learned
// correction. The Hall sensor measures the bottom of each stroke and the correction moves
// by a fraction of the depth error each block (an integrator: the stage position is the
// sum of its moves), at most MAX_STAGE_STEPS_PER_BLOCK per block. The correction is kept
// between runs and across setpoint changes, so a run starts where the last one ended; a
// run that ends in a fault teaches nothing (its blocks may have measured the fault).
// A run starts with the stage already at its position and the cam parked at its retracted
// phase (app/stepper-drive.ts): its first stroke ends at the set depth, so there is no
// approach from below and nothing to overshoot.
// The position is clamped so that the stroke can never end beyond the hard depth limit:
// the cam drives the needle positively, so the stroke's end is where the stage puts it,
// in air or in skin (depthAtHome includes the cam's throw: it is the stroke's bottom with
// the stage at home).
import { StageCalibration } from './calibration';

/** Largest stage move per block, steps (0.025 mm at 1600 steps/mm). */
export const MAX_STAGE_STEPS_PER_BLOCK = 40;
/** The learned correction stays within this, mm: what the calibration leaves (Hall drift with the motor's heat) is a few tens of µm. */
export const MAX_LEARNED_MM = 0.25;
/** Moves smaller than this are not made, steps (noise would dither the stage otherwise). */
export const STAGE_DEADBAND_STEPS = 2;
/** Stage travel the `hold` primitive's level spans (0..1), steps: 3.0 mm at 1600 steps/mm. */
export const STAGE_HOLD_STEPS = 4800;
/** The whole stage travel, steps: 3.2 mm at 1600 steps/mm (docs/hardware.md). Homing from an unknown position runs this far. */
export const STAGE_TRAVEL_STEPS = 5120;

/** The stage loop of a stepper pen (the class is made here: no RAM on a voice-coil pen, docs/control.md Budgets). */
export function createStageDepthController(cal: StageCalibration, gain: number) {
  class StageDepthController {
    cal: StageCalibration;
    gain: number;
    openLoop = false;
    private setMm = 1;
    private maxSteps = 0;
    private ffSteps = 0;
    /** correction learned by the loop on top of the feed-forward, steps, and what it was when the run started */
    private learned = 0;
    private learnedAtStart = 0;

    constructor(cal: StageCalibration, gain: number) {
      this.cal = cal;
      this.gain = gain;
    }

    /** New setpoint or limit. */
    configure(setMm: number, limitMm: number): void {
      const c = this.cal;
      this.setMm = Math.min(setMm, limitMm);
      this.maxSteps = Math.floor((limitMm - c.depthAtHome) * c.stepsPerMm);
      this.ffSteps = Math.round((this.setMm - c.depthAtHome) * c.stepsPerMm);
    }

    /** Where the stage stands for the setpoint: the feed-forward and what the loop learned, within home..the limit. */
    target(): number {
      return this.clamp(this.ffSteps + this.learned);
    }

    /** A run starts: what it learns is kept only if it ends without a fault (forgetRun). */
    runStarts(): void {
      this.learnedAtStart = this.learned;
    }

    /** The run ended in a fault: back to what was learned before it. */
    forgetRun(): void {
      this.learned = this.learnedAtStart;
    }

    /** One block measured at `meanMm` with the stage at `pos` steps: where the stage goes now. */
    update(meanMm: number, pos: number): number {
      if (this.openLoop) return pos;
      let want = Math.round(this.gain * (this.setMm - meanMm) * this.cal.stepsPerMm);
      if (want < STAGE_DEADBAND_STEPS && want > -STAGE_DEADBAND_STEPS) return pos;
      if (want > MAX_STAGE_STEPS_PER_BLOCK) want = MAX_STAGE_STEPS_PER_BLOCK;
      if (want < -MAX_STAGE_STEPS_PER_BLOCK) want = -MAX_STAGE_STEPS_PER_BLOCK;
      const lim = MAX_LEARNED_MM * this.cal.stepsPerMm;
      let learned = pos + want - this.ffSteps;
      learned = learned > lim ? lim : learned < -lim ? -lim : learned;
      // no wind-up against home or the limit: the correction is what the stage really does
      const next = this.clamp(this.ffSteps + learned);
      this.learned = next - this.ffSteps;
      return next;
    }

    /** Within home..the in-air limit. */
    private clamp(target: number): number {
      return target > this.maxSteps ? this.maxSteps : target < 0 ? 0 : target;
    }

    /** A stage position as a fraction of the hold span (telemetry's drive field). */
    level(pos: number): number {
      return pos / STAGE_HOLD_STEPS;
    }
  }
  return new StageDepthController(cal, gain);
}

export type StageDepthController = ReturnType<typeof createStageDepthController>;
