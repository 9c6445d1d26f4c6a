// What every calibration step works with: the pen (its client, and `run`, which must wrap
// every promise that waits on the pen: it drives a simulated pen's virtual time), the
// session clock, the gauge and the technician, the raw-sample log, progress and abort.
import type { Info } from '@stipple/protocol';
import type { HostClock } from '../link/clock';
import type { PenClient } from '../link/pen-client';
import type { Gauge } from './gauge';
import type { Technician } from './technician';
import type { SampleLog } from './sample-log';
import { abortedError } from './calibration-error';
import type { StepName } from './calibration-error';

export interface ProgressEvent {
  step: StepName;
  /** 0..1 within the step */
  fraction: number;
  detail: string;
}

export class CalibrationContext {
  step: StepName = 'precheck';
  private readonly t0: number;

  constructor(
    readonly client: PenClient,
    private readonly runFn: <T>(p: Promise<T>) => Promise<T>,
    readonly clock: HostClock,
    readonly gauge: Gauge,
    readonly tech: Technician,
    readonly samples: SampleLog,
    readonly info: Info,
    private readonly signal: AbortSignal | undefined,
    private readonly onProgress: ((e: ProgressEvent) => void) | undefined,
  ) {
    this.t0 = clock.now();
  }

  /** Await a promise that waits on the pen (drives a simulated pen); fails fast once aborted. */
  async run<T>(p: Promise<T>): Promise<T> {
    if (this.aborted) {
      p.catch(() => undefined); // already sent: its fate no longer matters, the pen is being stopped
      this.checkAbort();
    }
    const v = await this.runFn(p);
    this.checkAbort();
    return v;
  }

  /** Let `ms` pass on the session clock (virtual time on a simulated pen). */
  sleep(ms: number): Promise<void> {
    return this.run(new Promise<void>((r) => this.clock.setTimeout(r, ms)));
  }

  /** Session-clock time since the calibration started, s (the device time on a simulated pen). */
  elapsedS(): number {
    return (this.clock.now() - this.t0) / 1000;
  }

  checkAbort(): void {
    if (this.signal?.aborted) throw abortedError(this.step);
  }

  get aborted(): boolean {
    return !!this.signal?.aborted;
  }

  progress(fraction: number, detail: string): void {
    this.onProgress?.({ step: this.step, fraction: Math.max(0, Math.min(1, fraction)), detail });
  }

  log(line: string): void {
    this.tech.say(line);
  }
}
