// The object `stipple bench --json` prints (schema stipple-bench/1; docs/benchmarks.md
// documents every field).
import type { BenchMatrix, BenchSkin } from './bench-matrix';
import type { DepthFigures, PointFault, SpeedFigures } from './aggregate';
import type { FirmwareFigures } from './firmware-figures';
import type { TargetCheck } from './targets';

export const BENCH_SCHEMA = 'stipple-bench/1';

export interface SimFigures {
  /** virtual s per wall s, the pen alone (firmware + board + physics), 150 strokes/s: median of the measurements */
  realtimeFactor: number | null;
  /** the same with a host-driven run over the in-process link (heartbeats, per-stroke telemetry) */
  linkedRealtimeFactor: number | null;
  /** each measurement (one pen each) */
  samples: { seed: number; realtimeFactor: number | null; linkedRealtimeFactor: number | null }[];
  /** virtual seconds timed per measurement */
  virtualS: number;
  /** wall time of this variant's matrix, s, over `workers` worker threads */
  matrixWallS: number;
  workers: number;
  error: string;
}

/** Closed / open-loop figures of one (rate, depth, skin) over the seeds. */
export interface BreakdownRow {
  rate: number;
  depthMm: number;
  skin: BenchSkin;
  rmsUm: number | null;
  maxUm: number | null;
  openLoopRmsUm: number | null;
  /** the open-loop runs' prediction floor at the firmware's block length (aggregate.ts predictionFloor) */
  floorRmsUm: number | null;
  floorMaxUm: number | null;
  settleStrokes: number | null;
  rateErrPct: number | null;
  faults: number;
}

/** One matrix point's figures (closed loop unless named open). */
export interface PointRow {
  seed: number;
  rate: number;
  depthMm: number;
  skin: BenchSkin;
  wobbleHz: number;
  stiffnessStep: number;
  rmsUm: number | null;
  maxUm: number | null;
  openLoopRmsUm: number | null;
  openLoopMaxUm: number | null;
  /** the open-loop run's prediction floor at the firmware's block length */
  floorRmsUm: number | null;
  floorMaxUm: number | null;
  /** strokes until within tolerance after the start and after the step (null: never) */
  settleStart: number | null;
  settleStep: number | null;
  /** s from the run request until within tolerance (closed loop) */
  startupS: number | null;
  /** the pen's per-stroke series shift to line up with the rig's strokes (closed loop) */
  penShift: number | null;
  rateErrPct: number | null;
  openLoopRateErrPct: number | null;
  /** a fault or setup failure, '' if none */
  fault: string;
}

export interface VariantReport {
  depth: DepthFigures;
  speed: SpeedFigures;
  sim: SimFigures;
  firmware: FirmwareFigures;
  faults: PointFault[];
  breakdown: BreakdownRow[];
  points: PointRow[];
}

/** The machine the timed figures come from: they scale with its speed and with whatever else ran. */
export interface HostInfo {
  cpu: string;
  cores: number;
  node: string;
  /** 1-minute load average when the bench started, and when it ended */
  loadAverageStart: number;
  loadAverageEnd: number;
}

export interface BenchReport extends VariantReport {
  schema: typeof BENCH_SCHEMA;
  /** the command line that printed this */
  command: string;
  date: string;
  quick: boolean;
  matrix: BenchMatrix & { pointsPerVariant: number; settleAllowanceStrokes: number; settleToleranceUm: number; rateWindowS: number };
  /** what the depth figures are measured against */
  reference: string;
  stepper: VariantReport;
  targets: TargetCheck[];
  host: HostInfo;
  wallS: number;
}
