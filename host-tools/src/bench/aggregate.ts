// From the points' figures to the matrix figures of one drive variant (the `depth` and
// `speed` objects of `stipple bench --json`): RMS and worst over every settled stroke of
// the matrix, the worst settling, the worst rate window; closed and open loop side by side.
import type { BenchPoint } from './bench-matrix';
import type { PointResult, RunFigures } from './bench-point';
import { addErrors, noErrors, rmsOf } from './depth-figures';
import type { DepthSummary, ErrorSums } from './depth-figures';

export interface DepthFigures {
  /** closed loop, true protrusion: RMS and worst |error| over the settled strokes of the whole matrix, µm */
  rmsUm: number | null;
  maxUm: number | null;
  /** open loop (same pens and conditions, loops off), true protrusion, µm */
  openLoopRmsUm: number | null;
  openLoopMaxUm: number | null;
  /** worst strokes-to-tolerance over every run's start and stiffness step (a segment that never settles counts all its strokes) */
  settleStrokes: number | null;
  /** the median of the same */
  settleStrokesMedian: number | null;
  /** segments that never came within tolerance */
  unsettledSegments: number;
  /** worst and median over the closed-loop runs of the time from the run request until the depth first stays within tolerance (the stepper's lead-in included), s */
  startupS: number | null;
  startupSMedian: number | null;
  /** rmsUm / openLoopRmsUm */
  closedOverOpenRms: number | null;
  /** the same figures against the pen's own per-stroke measurement (what the controller sees) */
  asMeasuredByPen: { rmsUm: number | null; maxUm: number | null; openLoopRmsUm: number | null; openLoopMaxUm: number | null; settleStrokes: number | null };
  /** pen measurement − true protrusion, stroke by stroke, over every run (µm) */
  penVsTrueRmsUm: number | null;
  penVsTrueMaxUm: number | null;
  /**
   * the open-loop runs' prediction floor (prediction-floor.ts): RMS and worst of what the best
   * linear prediction from earlier strokes leaves, from strokes one stroke old (any controller
   * deciding between strokes) and from earlier blocks (the firmware's block length), and each
   * RMS over the open-loop RMS (what closedOverOpenRms can come down to at best)
   */
  predictionFloor: {
    perStrokeRmsUm: number | null; perStrokeMaxUm: number | null; perStrokeOverOpenRms: number | null;
    perBlockRmsUm: number | null; perBlockMaxUm: number | null; perBlockOverOpenRms: number | null;
  };
  /** settled strokes counted (closed loop) */
  strokes: number;
  /** points whose figures are in (not faulted, not failed) */
  points: number;
}

export interface SpeedFigures {
  /** worst |rate − set| / set over 0.2 s windows after settling, closed loop, % */
  maxErrPct: number | null;
  openLoopMaxErrPct: number | null;
}

/** A fault (or a setup failure) and how many runs it stopped; `example` names the first point and its full context. */
export interface PointFault {
  run: 'closed' | 'open' | 'setup';
  fault: string;
  count: number;
  example: string;
}

export interface VariantFigures {
  depth: DepthFigures;
  speed: SpeedFigures;
  /** faults latched during runs and points that could not run (their figures are left out) */
  faults: PointFault[];
}

export function pointLabel(p: BenchPoint): string {
  return `seed ${p.seed} ${p.rate}/s ${p.depthMm.toFixed(1)} mm ${p.skin}`;
}

const r1 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);
const r3 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);

export function aggregate(points: PointResult[]): VariantFigures {
  const faults: PointFault[] = [];
  const note = (run: PointFault['run'], text: string, p: BenchPoint): void => {
    // group by the fault's name (its context varies from point to point)
    const fault = run === 'setup' ? text : text.split(' (')[0]!;
    const f = faults.find((x) => x.run === run && x.fault === fault);
    if (f) f.count++;
    else faults.push({ run, fault, count: 1, example: run === 'setup' ? pointLabel(p) : `${pointLabel(p)}: ${text}` });
  };
  const ok: { closed: RunFigures; open: RunFigures }[] = [];
  for (const r of points) {
    if (r.error) note('setup', r.error, r.point);
    if (r.closed?.fault) note('closed', r.closed.fault, r.point);
    if (r.open?.fault) note('open', r.open.fault, r.point);
    if (r.closed && r.open && !r.closed.fault && !r.open.fault) ok.push({ closed: r.closed, open: r.open });
  }
  const sum = (pick: (f: { closed: RunFigures; open: RunFigures }) => ErrorSums): ErrorSums => ok.map(pick).reduce(addErrors, noErrors());
  const closedTrue = sum((f) => f.closed.truth);
  const openTrue = sum((f) => f.open.truth);
  const closedPen = sum((f) => f.closed.pen);
  const openPen = sum((f) => f.open.pen);
  const penVsTrue = sum((f) => f.closed.penVsTrue);
  const floorStroke = sum((f) => f.open.floor?.perStroke ?? noErrors());
  const floorBlock = sum((f) => f.open.floor?.perBlock ?? noErrors());
  const settle = settling(ok.map((f) => f.closed.truth));
  const settlePen = settling(ok.map((f) => f.closed.pen));
  const startup = startupFigures(ok.map((f) => f.closed));
  const rms = rmsOf(closedTrue);
  const openRms = rmsOf(openTrue);
  const worst = (xs: (number | null)[]): number | null => xs.reduce<number | null>((a, x) => (x === null ? a : a === null ? x : Math.max(a, x)), null);
  return {
    depth: {
      rmsUm: r1(rms), maxUm: ok.length ? closedTrue.maxAbsUm : null,
      openLoopRmsUm: r1(openRms), openLoopMaxUm: ok.length ? openTrue.maxAbsUm : null,
      settleStrokes: settle.worst, settleStrokesMedian: settle.median, unsettledSegments: settle.unsettled,
      startupS: startup.worst, startupSMedian: startup.median,
      closedOverOpenRms: rms !== null && openRms ? r3(rms / openRms) : null,
      asMeasuredByPen: {
        rmsUm: r1(rmsOf(closedPen)), maxUm: ok.length ? closedPen.maxAbsUm : null,
        openLoopRmsUm: r1(rmsOf(openPen)), openLoopMaxUm: ok.length ? openPen.maxAbsUm : null, settleStrokes: settlePen.worst,
      },
      penVsTrueRmsUm: r1(rmsOf(penVsTrue)), penVsTrueMaxUm: ok.length ? penVsTrue.maxAbsUm : null,
      predictionFloor: {
        perStrokeRmsUm: r1(rmsOf(floorStroke)), perStrokeMaxUm: floorStroke.n ? floorStroke.maxAbsUm : null,
        perStrokeOverOpenRms: openRms && floorStroke.n ? r3(rmsOf(floorStroke)! / openRms) : null,
        perBlockRmsUm: r1(rmsOf(floorBlock)), perBlockMaxUm: floorBlock.n ? floorBlock.maxAbsUm : null,
        perBlockOverOpenRms: openRms && floorBlock.n ? r3(rmsOf(floorBlock)! / openRms) : null,
      },
      strokes: closedTrue.n, points: ok.length,
    },
    speed: {
      maxErrPct: r3(worst(ok.map((f) => f.closed.rateErrPct))),
      openLoopMaxErrPct: r3(worst(ok.map((f) => f.open.rateErrPct))),
    },
    faults,
  };
}

/** Worst and median settling over the runs' two segments; a segment that never settled counts all its strokes. */
function settling(runs: DepthSummary[]): { worst: number | null; median: number | null; unsettled: number } {
  const all: number[] = [];
  let unsettled = 0;
  for (const r of runs) {
    [r.settleStart, r.settleStep].forEach((s, k) => {
      if (s === null) unsettled++;
      all.push(s ?? r.segmentStrokes[k]!);
    });
  }
  if (!all.length) return { worst: null, median: null, unsettled };
  all.sort((a, b) => a - b);
  return { worst: all[all.length - 1]!, median: all[Math.floor(all.length / 2)]!, unsettled };
}

/** Worst and median start-up time; a run that never settled counts as its whole length (its last stroke's time). */
function startupFigures(runs: RunFigures[]): { worst: number | null; median: number | null } {
  if (!runs.length) return { worst: null, median: null };
  const all = runs.map((r) => r.startupS ?? Infinity).sort((a, b) => a - b);
  const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return { worst: fin(all[all.length - 1]!), median: fin(all[Math.floor(all.length / 2)]!) };
}
