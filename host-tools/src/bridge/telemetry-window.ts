// One second of a pen's telemetry records folded into the summary the bridge publishes:
// strokes and dots, the measured rate, and depth against the setpoint from the per-stroke
// depths (mean, RMS and largest error), with the pen's state at the end of the window.
import { STATE_NAMES } from '@stipple/protocol';
import type { StateName, TelemetryRecord, TelemetrySummaryPayload } from '@stipple/protocol';

export type SummaryFigures = Omit<TelemetrySummaryPayload, 'v' | 'ts' | 'serial' | 'linkLost' | 'dropped'>;

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
/** Longest pen time between two records of one run, ms (TLM_EVERY_MAX strokes at the lowest rate is 20 s; a subscription of 20 strokes at 50/s: 0.4 s). */
const MAX_RECORD_GAP_MS = 2000;

export class TelemetryWindow {
  private strokes = 0;
  private dots = 0;
  private records = 0;
  private sumDepth = 0;
  private sumSq = 0;
  private maxErr = 0;
  private measured = 0;
  private setUm: number | null = null;
  private rateSet: number | null = null;
  private warn = 0;
  private lastPenMs: number | undefined;
  /** Strokes and pen time between consecutive records of one run (the rate's measure). */
  private spanStrokes = 0;
  private spanMs = 0;

  constructor(private startMs: number) {}

  add(r: TelemetryRecord): void {
    this.records++;
    const n = r.n ?? 0;
    this.strokes += n;
    this.dots += r.inSkin ?? 0;
    if (r.setUm !== undefined) this.setUm = r.setUm;
    // a record without strokes (a stepper's stage travel before its first stroke record) carries
    // the cam's rate then (0 while parked), not the strokes' set rate
    if (r.rate !== undefined && n > 0) this.rateSet = r.rate;
    if (r.warn !== undefined) this.warn = r.warn;
    if (r.t !== undefined) {
      // a record's strokes happened since the previous record of strokes; a gap longer than a
      // record could take is a pause between runs, not part of the rate, nor is the time since a
      // record without strokes (the cam may have turned for part of it only)
      const dt = this.lastPenMs === undefined ? Infinity : r.t - this.lastPenMs;
      if (dt > 0 && dt <= MAX_RECORD_GAP_MS && n > 0) {
        this.spanStrokes += n;
        this.spanMs += dt;
      }
      this.lastPenMs = n > 0 ? r.t : undefined;
    }
    const set = r.setUm ?? 0;
    for (const d of r.depths ?? []) {
      const e = d - set;
      this.measured++;
      this.sumDepth += d;
      this.sumSq += e * e;
      if (Math.abs(e) > this.maxErr) this.maxErr = Math.abs(e);
    }
  }

  /** The summary of the window ending at `endMs` (pen clock), in state `state`; then start the next one. */
  close(endMs: number, state: StateName | number, fault: number): SummaryFigures {
    const windowS = Math.max(0, (endMs - this.startMs) / 1000);
    const m = this.measured;
    const figures: SummaryFigures = {
      penMs: Math.max(0, Math.round(endMs)),
      windowS: round(windowS, 3),
      state: typeof state === 'number' ? (STATE_NAMES[state] as StateName) : state,
      fault,
      warn: this.warn,
      strokes: this.strokes,
      dots: this.dots,
      rate: this.spanMs > 0 ? round((this.spanStrokes / this.spanMs) * 1000, 1) : windowS > 0 ? round(this.strokes / windowS, 1) : 0,
      rateSet: this.strokes > 0 ? this.rateSet : null,
      depthSetMm: this.strokes > 0 && this.setUm !== null ? this.setUm / 1000 : null,
      depthMeanMm: m > 0 ? round(this.sumDepth / m / 1000, 4) : null,
      depthRmsErrMm: m > 0 ? round(Math.sqrt(this.sumSq / m) / 1000, 4) : null,
      depthMaxErrMm: m > 0 ? this.maxErr / 1000 : null,
      records: this.records,
    };
    this.startMs = endMs;
    this.strokes = this.dots = this.records = this.measured = 0;
    this.sumDepth = this.sumSq = this.maxErr = 0;
    this.spanStrokes = this.spanMs = 0;
    return figures;
  }

  /** Pen time of the last record (ms since its boot), if any came. */
  get penMs(): number | undefined {
    return this.lastPenMs;
  }
}
