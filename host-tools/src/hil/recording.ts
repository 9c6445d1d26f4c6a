// What the rig saw during one scenario: the simulator's true strokes, the pen's telemetry
// and events as the host received them, every action and its reply, and the checks made
// at given times. Assertions read only this; the engine only writes it. Times are seconds
// of scenario time. Per-stroke series live in growable typed arrays, so an 8-hour soak
// (millions of strokes) stays a few tens of MB.
import type { EventBody, TelemetryRecord } from '@stipple/protocol';

/** A growable column of numbers. */
export class Series {
  private a: Float64Array;
  length = 0;

  constructor(initial = 1024) {
    this.a = new Float64Array(initial);
  }

  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v;
  }

  at(i: number): number {
    return this.a[i]!;
  }

  /** The values (a view, valid until the next push). */
  view(): Float64Array {
    return this.a.subarray(0, this.length);
  }

  /** First index with value ≥ x (the column must be sorted). */
  lowerBound(x: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.a[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** True strokes from the simulator (the rig's depth gauge). */
export class StrokeLog {
  readonly t = new Series();
  /** bottom-of-stroke protrusion, mm */
  readonly mm = new Series();
  /** 1 when the needle punctured the skin */
  readonly inSkin = new Series();

  push(t: number, mm: number, inSkin: boolean): void {
    this.t.push(t);
    this.mm.push(mm);
    this.inSkin.push(inSkin ? 1 : 0);
  }

  get length(): number {
    return this.t.length;
  }

  /** Index range [i0, i1) of strokes with from ≤ t < to (to inclusive at the very end). */
  range(from: number, to: number): [number, number] {
    const i0 = this.t.lowerBound(from);
    let i1 = this.t.lowerBound(to);
    while (i1 < this.length && this.t.at(i1) === to) i1++;
    return [i0, i1];
  }
}

/** Telemetry as received, one row per record. */
export class TelemetryLog {
  /** host receive time */
  readonly t = new Series();
  readonly setUm = new Series();
  readonly depthUm = new Series();
  readonly rate = new Series();
  readonly duty = new Series();
  readonly mA = new Series();
  readonly state = new Series();
  readonly n = new Series();
  /** per-stroke measured depths: time of the record and the depth, µm */
  readonly strokeT = new Series();
  readonly strokeUm = new Series();

  push(t: number, r: TelemetryRecord): void {
    this.t.push(t);
    this.setUm.push(r.setUm ?? NaN);
    this.depthUm.push(r.depthUm ?? NaN);
    this.rate.push(r.rate ?? NaN);
    this.duty.push(r.duty ?? NaN);
    this.mA.push(r.mA ?? NaN);
    this.state.push(r.state ?? NaN);
    this.n.push(r.n ?? NaN);
    if (r.depths) for (const d of r.depths) { this.strokeT.push(t); this.strokeUm.push(d); }
  }

  get length(): number {
    return this.t.length;
  }
}

export type PenEventRecord =
  | { t: number; id: 'state'; seq: number; body: EventBody<'state'> }
  | { t: number; id: 'fault'; seq: number; body: EventBody<'fault'>; /** when it latched, scenario s (the pen's time stamp on the simulator, receive time on a serial pen) */ latchT: number }
  | { t: number; id: 'warn'; seq: number; body: EventBody<'warn'> };

export interface ActionRecord {
  /** scheduled time */
  at: number;
  /** what was done, in words */
  what: string;
  label?: string;
  /** host command: when the reply (or error) came, what it was, and whether it met `expect` */
  replyT?: number;
  reply?: string;
  expected?: string;
  ok?: boolean;
}

/** A check made at a time for an assertion (status, counters, LED…), keyed by the assertion's index. */
export interface ProbeRecord {
  t: number;
  value?: unknown;
  error?: string;
}

/** The truth right after a fault latched: where the needle was and whether the drive was off. */
export interface SafetyCheck {
  /** the latch time (the pen's fault event time stamp), scenario s */
  latchT: number;
  code: number;
  /** when the check ran, scenario s */
  t: number;
  protrusionMm: number;
  driveOff: boolean;
  /** why the drive counts as on (pins, current, motion), '' when off */
  driveWhy: string;
  /** the same, `latchedForS` after the latch (unless cleared before) */
  laterT?: number;
  laterProtrusionMm?: number;
  laterDriveOff?: boolean;
  laterDriveWhy?: string;
}

export interface Problem {
  t: number;
  msg: string;
}

export class Recording {
  readonly strokes = new StrokeLog();
  readonly telemetry = new TelemetryLog();
  readonly events: PenEventRecord[] = [];
  readonly actions: ActionRecord[] = [];
  /** probe results by assertion index */
  readonly probes = new Map<number, ProbeRecord>();
  readonly safety: SafetyCheck[] = [];
  /** corrupt/invalid messages from the pen, failed requests the scenario did not expect */
  readonly problems: Problem[] = [];
  /** events (incl. telemetry) the host missed, by sequence number, and when */
  readonly lostEvents: Problem[] = [];
  /** telemetry records whose per-stroke depths did not match their count */
  readonly badRecords: Problem[] = [];
  /** resets of the pen (power, reboot, brown-out, watchdog) */
  readonly resets: { t: number; reason: string }[] = [];
  /** largest true protrusion seen between slices (s, mm), for the hard limit outside strokes */
  readonly peakProtrusion = { t: 0, mm: -Infinity };
  /** console bytes from the pen, cumulative, sampled per slice: [t, bytes] */
  readonly consoleBytes: [number, number][] = [];
  /** intervals (scenario s) in which the pen was running, from its state events */
  readonly running: [number, number][] = [];
  /** the calibration record the pen had at the start (calRead), JSON */
  startCalibration: string | undefined;
  /** scenario end, s */
  end = 0;
  /** wall time of the run, ms */
  wallMs = 0;
  /** the setup failed (pen could not be made/calibrated): nothing else is meaningful */
  setupError: string | undefined;
}
