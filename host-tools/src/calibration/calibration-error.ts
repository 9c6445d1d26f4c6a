// Why a calibration stopped: the step, a one-line reason a technician can act on, and
// what is known so far (for the failure report). Nothing was written to the pen when this
// is thrown before the write step; `penSafe` says whether the pen was confirmed stopped.

export type StepName = 'precheck' | 'sensor' | 'actuator' | 'stroke' | 'gains' | 'verify' | 'write' | 'restore';

export class CalibrationError extends Error {
  /** filled in by calibratePen when it stops: the partial report */
  report: unknown;
  penSafe = false;

  constructor(readonly step: StepName, message: string, readonly aborted = false) {
    super(message);
    this.name = 'CalibrationError';
  }
}

/** The technician pressed Ctrl-C (or the caller's AbortSignal fired). */
export function abortedError(step: StepName): CalibrationError {
  return new CalibrationError(step, `calibration aborted during the ${step} step`, true);
}
