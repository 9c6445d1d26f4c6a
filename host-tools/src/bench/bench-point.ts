// One matrix point: the same calibrated pen (same seed, same record, same conditions) run
// closed loop and open loop (`runStart {openLoop: true}`: feed-forward only, as today's
// machines run), each reduced to its figures. What a bench worker computes.
import { CalibrationError } from '../calibration/calibration-error';
import type { BenchPoint } from './bench-matrix';
import { depthSummary, noErrors } from './depth-figures';
import type { DepthSummary, ErrorSums } from './depth-figures';
import { rateMaxErrPct } from './rate-figures';
import { measureRun } from './run-measurement';
import type { RunMeasurement } from './run-measurement';

export interface RunFigures {
  /** against the true bottom-of-stroke protrusion (the rig's gauge) */
  truth: DepthSummary;
  /** against the pen's own per-stroke measurement (telemetry) */
  pen: DepthSummary;
  /** the pen's measurement − the truth, stroke by stroke (sensor and calibration error) */
  penVsTrue: ErrorSums;
  rateErrPct: number | null;
  strokes: number;
  /** fault latched during the run, '' if none (a faulted run's figures are left out of the totals) */
  fault: string;
}

export interface PointResult {
  point: BenchPoint;
  closed: RunFigures | null;
  open: RunFigures | null;
  /** why the point could not run at all ('' if it ran), e.g. the pen could not be calibrated */
  error: string;
  wallS: number;
}

export async function runBenchPoint(p: BenchPoint): Promise<PointResult> {
  const t0 = performance.now();
  const done = (r: Omit<PointResult, 'point' | 'wallS'>): PointResult => ({ point: p, ...r, wallS: (performance.now() - t0) / 1000 });
  try {
    const closed = figures(await measureRun(p, false), p);
    const open = figures(await measureRun(p, true), p);
    return done({ closed, open, error: '' });
  } catch (e) {
    const why = e instanceof CalibrationError ? `calibration (${e.step}): ${e.message.split('\n')[0]}` : e instanceof Error ? e.message.split('\n')[0]! : String(e);
    return done({ closed: null, open: null, error: why });
  }
}

function figures(m: RunMeasurement, p: BenchPoint): RunFigures {
  const setUm = Math.round(p.depthMm * 1000);
  const penVsTrue = noErrors();
  for (let i = 0; i < Math.min(m.penUm.length, m.trueUm.length); i++) {
    const d = m.penUm[i]! - m.trueUm[i]!;
    penVsTrue.n++;
    penVsTrue.sumSqUm2 += d * d;
    penVsTrue.maxAbsUm = Math.max(penVsTrue.maxAbsUm, Math.abs(d));
  }
  return {
    truth: depthSummary(m.trueUm, setUm, m.strokesBeforeStep),
    pen: depthSummary(m.penUm, setUm, m.strokesBeforeStep),
    penVsTrue,
    rateErrPct: rateMaxErrPct(m.timesS, p.rate, m.strokesBeforeStep),
    strokes: m.trueUm.length,
    fault: m.fault,
  };
}
