// Depth loop of the stepper variant: the lead-screw stage sets where the cam's stroke
// ends; the Hall sensor measures the bottom of each stroke, and the stage is moved by
// a fraction of the error each block. The stage position is clamped so that, in air,
// the stroke can never end beyond the hard depth limit.
import { StageCalibration } from './calibration';

/** Largest stage move per block, in steps (0.025 mm at 1600 steps/mm). */
export const MAX_STAGE_STEPS_PER_BLOCK = 40;

export class StageDepthController {
  cal: StageCalibration;
  gain: number;
  openLoop = false;
  /** stage position in steps from home, as commanded */
  position = 0;
  private setMm = 1;
  private maxSteps = 0;
  private ffSteps = 0;

  constructor(cal: StageCalibration, gain: number) {
    this.cal = cal;
    this.gain = gain;
  }

  configure(setMm: number, limitMm: number): void {
    this.setMm = Math.min(setMm, limitMm);
    this.maxSteps = Math.floor((limitMm - this.cal.depthAtHome) * this.cal.stepsPerMm);
    this.ffSteps = Math.round((this.setMm - this.cal.depthAtHome) * this.cal.stepsPerMm);
  }

  /** Steps to move before the run starts (feed-forward position). */
  approach(): number {
    return this.clampMove(this.ffSteps - this.position, 100000);
  }

  /** One block measured: signed steps to move the stage now. */
  update(peakMm: number): number {
    if (this.openLoop) return 0;
    const want = Math.round(this.gain * (this.setMm - peakMm) * this.cal.stepsPerMm);
    return this.clampMove(want, MAX_STAGE_STEPS_PER_BLOCK);
  }

  private clampMove(steps: number, maxMove: number): number {
    if (steps > maxMove) steps = maxMove;
    if (steps < -maxMove) steps = -maxMove;
    if (this.position + steps > this.maxSteps) steps = this.maxSteps - this.position;
    if (this.position + steps < 0) steps = -this.position;
    this.position += steps;
    return steps;
  }

  /** Steps back to home. */
  retract(): number {
    const s = -this.position;
    this.position = 0;
    return s;
  }
}
