// The work a bench worker does, as messages: a matrix point, or a sim-speed measurement.
// Run in a worker thread (bench-pool.ts) or in this process (no worker bundle, e.g. tests
// importing the library from source).
import type { BenchPoint } from './bench-matrix';
import { runBenchPoint } from './bench-point';
import type { PointResult } from './bench-point';
import { measureSimSpeed } from './sim-speed';
import type { SimSpeed } from './sim-speed';
import type { PenVariant } from '../sim/physics/pen-hardware';

export type BenchTask =
  | { kind: 'point'; point: BenchPoint }
  | { kind: 'speed'; variant: PenVariant; seed: number; virtualS: number };

export type BenchTaskResult<T extends BenchTask> = T extends { kind: 'point' } ? PointResult : SimSpeed;

export async function runBenchTask(t: BenchTask): Promise<PointResult | SimSpeed> {
  return t.kind === 'point' ? runBenchPoint(t.point) : measureSimSpeed(t.variant, t.seed, t.virtualS);
}

/** The pen a task runs on: the pool keeps a worker on the same pen so its calibration is reused. */
export function taskPen(t: BenchTask): string {
  return t.kind === 'point' ? `${t.point.variant}:${t.point.seed}` : `${t.variant}:${t.seed}`;
}
