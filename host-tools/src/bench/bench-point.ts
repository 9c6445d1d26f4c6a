// One matrix point: the same calibrated pen (same seed, same record, same conditions) run
// closed loop and open loop (`runStart {openLoop: true}`: feed-forward only, as today's
// machines run), each reduced to its figures. What a bench worker computes.
import { CalibrationError } from '../calibration/calibration-error';
import type { BenchPoint } from './bench-matrix';
import { SETTLE_ALLOWANCE_STROKES, depthSummary, noErrors, settleStrokes } from './depth-figures';
import { alignPenToTruth } from './pen-alignment';
import type { DepthSummary, ErrorSums } from './depth-figures';
import { rateMaxErrPct } from './rate-figures';
import { predictionFloor } from './prediction-floor';
import { measureRun } from './run-measurement';
import { START_STROKES, strokesPerBlock } from '@stipple/firmware/control/block-analysis';
import type { RunMeasurement } from './run-measurement';

export interface RunFigures {
  /** against the true bottom-of-stroke protrusion (the rig's gauge) */
  truth: DepthSummary;
  /** against the pen's own per-stroke measurement (telemetry) */
  pen: DepthSummary;
  /** the pen's measurement − the truth, stroke by stroke (sensor and calibration error) */
  penVsTrue: ErrorSums;
  rateErrPct: number | null;
  /** s from the run request until the depth first stays within tolerance (10 strokes within 50 µm); null: never */
  startupS: number | null;
  /** the pen's per-stroke series was shifted by this many strokes to line up with the rig's */
  penShift: number;
  strokes: number;
  /** fault latched during the run, '' if none (a faulted run's figures are left out of the totals) */
  fault: string;
  /**
   * open loop only (else null): the run's prediction floor (prediction-floor.ts), the error left
   * after the best linear prediction from strokes one stroke old (any controller that decides
   * between strokes) and from the strokes of earlier blocks (the firmware's block length)
   */
  floor: { perStroke: ErrorSums; perBlock: ErrorSums } | null;
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
  const from = m.leadInStrokes;
  const beforeStep = m.strokesBeforeStep - from;
  const { aligned, shift } = alignPenToTruth(m.penUm, m.trueUm, from);
  const penVsTrue = noErrors();
  const penSeries: number[] = [];
  let penBeforeStep = 0;
  for (let j = from; j < m.trueUm.length; j++) {
    const v = aligned[j];
    if (v === undefined) continue;
    penSeries.push(v);
    if (j < m.strokesBeforeStep) penBeforeStep++;
    const d = v - m.trueUm[j]!;
    penVsTrue.n++;
    penVsTrue.sumSqUm2 += d * d;
    penVsTrue.maxAbsUm = Math.max(penVsTrue.maxAbsUm, Math.abs(d));
  }
  const startIdx = settleStrokes(m.trueUm.map((u) => u - setUm));
  return {
    truth: depthSummary(m.trueUm.slice(from), setUm, beforeStep),
    pen: depthSummary(penSeries, setUm, penBeforeStep),
    penVsTrue,
    rateErrPct: rateMaxErrPct(m.timesS.slice(from), p.rate, beforeStep),
    startupS: startIdx === null ? null : Math.round(m.timesS[startIdx]! * 1000) / 1000,
    penShift: shift,
    strokes: m.trueUm.length - from,
    fault: m.fault,
    floor: m.openLoop ? floors(m, p) : null,
  };
}

/** The open-loop run's prediction floors over the strokes its depth figures count. */
function floors(m: RunMeasurement, p: BenchPoint): { perStroke: ErrorSums; perBlock: ErrorSums } {
  const setUm = Math.round(p.depthMm * 1000);
  const err = m.trueUm.map((u) => u - setUm);
  const from = m.leadInStrokes;
  const step = m.strokesBeforeStep;
  // the strokes depthSummary counts: each segment after its settling allowance
  const counted = (k: number): boolean => k >= from && (k < step ? k - from : k - step) >= SETTLE_ALLOWANCE_STROKES;
  // the firmware's blocks from the run's first stroke (a voice coil's first block is shorter);
  // a block's drive is set as it ends, so stroke j of the next block is j + 1 strokes on
  const coil = p.variant === 'voiceCoil';
  const m0 = strokesPerBlock(p.rate, coil);
  const first = coil && m0 > START_STROKES ? START_STROKES : m0;
  const inBlock = (k: number): number => (k < first ? k : (k - first) % m0);
  return { perStroke: predictionFloor(err, () => 1, counted), perBlock: predictionFloor(err, (k) => inBlock(k) + 1, counted) };
}
