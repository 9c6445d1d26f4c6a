// Depth loop of the stepper variant. The lead-screw stage sets where the cam's stroke
// ends: position = feed-forward (calibration: depthAtHome, stepsPerMm) + a learned
// correction. The Hall sensor measures the bottom of each stroke and the correction moves
// by a fraction of the depth error each block (an integrator: the stage position is the
// sum of its moves), at most MAX_STAGE_STEPS_PER_BLOCK per block. The correction is kept
// between runs and across setpoint changes, so a run starts where the last one ended.
// Soft start: a run approaches SOFT_START_MM short of that and the loop closes from below.
// The position is clamped so that the stroke can never end beyond the hard depth limit:
// the cam drives the needle positively, so the stroke's end is where the stage puts it,
// in air or in skin.
import { StageCalibration } from './calibration';

/** Largest stage move per block, steps (0.025 mm at 1600 steps/mm). */
export const MAX_STAGE_STEPS_PER_BLOCK = 40;
/** Soft start: a run's first strokes end this much short of the learned position, mm. */
export const SOFT_START_MM = 0.1;
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
    /** stage position in steps from home, as commanded */
    position = 0;
    private setMm = 1;
    private maxSteps = 0;
    private ffSteps = 0;
    /** correction learned by the loop on top of the feed-forward, steps */
    private learned = 0;

    constructor(cal: StageCalibration, gain: number) {
      this.cal = cal;
      this.gain = gain;
    }

    /** New setpoint or limit (then approach() to start a run, or retune() while running). */
    configure(setMm: number, limitMm: number): void {
      const c = this.cal;
      this.setMm = Math.min(setMm, limitMm);
      this.maxSteps = Math.floor((limitMm - c.depthAtHome) * c.stepsPerMm);
      this.ffSteps = Math.round((this.setMm - c.depthAtHome) * c.stepsPerMm);
    }

    /** While running: the move that keeps the learned correction at the new setpoint. */
    retune(): number {
      return this.moveTo(this.ffSteps + this.learned);
    }

    /** Steps to move before the run starts: SOFT_START_MM short of the learned position. */
    approach(): number {
      return this.moveTo(this.ffSteps + this.learned - Math.round(SOFT_START_MM * this.cal.stepsPerMm));
    }

    /** One block measured at `meanMm`: signed steps to move the stage now. */
    update(meanMm: number): number {
      if (this.openLoop) return 0;
      let want = Math.round(this.gain * (this.setMm - meanMm) * this.cal.stepsPerMm);
      if (want < STAGE_DEADBAND_STEPS && want > -STAGE_DEADBAND_STEPS) return 0;
      if (want > MAX_STAGE_STEPS_PER_BLOCK) want = MAX_STAGE_STEPS_PER_BLOCK;
      if (want < -MAX_STAGE_STEPS_PER_BLOCK) want = -MAX_STAGE_STEPS_PER_BLOCK;
      const moved = this.moveTo(this.position + want);
      this.learned = this.position - this.ffSteps;
      return moved;
    }

    /** Move to `target` steps, kept within home..the in-air limit; returns the signed move. */
    private moveTo(target: number): number {
      if (target > this.maxSteps) target = this.maxSteps;
      if (target < 0) target = 0;
      const steps = target - this.position;
      this.position = target;
      return steps;
    }

    /** The stage went home (the hardware runs it back to the home switch). */
    homed(): void {
      this.position = 0;
    }

    /** Stage position as a fraction of the hold span (telemetry's drive field). */
    level(): number {
      return this.position / STAGE_HOLD_STEPS;
    }
  }
  return new StageDepthController(cal, gain);
}

export type StageDepthController = ReturnType<typeof createStageDepthController>;
