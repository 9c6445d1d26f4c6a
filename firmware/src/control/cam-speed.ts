// Stroke-rate loop of the stepper variant: the cam's once-per-revolution index gives
// the true revolution period; a PI on it trims the STEP frequency (a hardware PWM).
export class CamSpeedController {
  stepsPerRev: number;
  lobes: number;
  kp = 0.5;
  ki = 0.3;
  openLoop = false;
  private ffFreq = 0;
  private integ = 0;
  private targetPeriod = 0;

  constructor(stepsPerRev: number, lobes: number) {
    this.stepsPerRev = stepsPerRev;
    this.lobes = lobes;
  }

  /** STEP frequency (Hz) for a stroke rate, before correction. */
  configure(rate: number): number {
    this.ffFreq = (rate / this.lobes) * this.stepsPerRev;
    this.targetPeriod = this.lobes / rate;
    this.integ = 0;
    return this.ffFreq;
  }

  /** Measured revolution period (s): the STEP frequency for the next block. */
  update(period: number): number {
    if (this.openLoop || !(period > 0)) return this.ffFreq + this.integ;
    // relative speed error: positive when the cam turns too slowly (lost steps, sag)
    const e = (period - this.targetPeriod) / this.targetPeriod;
    this.integ += this.ki * e * this.ffFreq;
    const lim = 0.1 * this.ffFreq;
    if (this.integ > lim) this.integ = lim;
    if (this.integ < -lim) this.integ = -lim;
    return this.ffFreq + this.integ + this.kp * e * this.ffFreq;
  }

  /** Expected revolution period at the set rate (s). */
  period(): number {
    return this.targetPeriod;
  }
}
