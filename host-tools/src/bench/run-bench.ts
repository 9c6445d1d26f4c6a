// `stipple bench`: the standard matrix on both drive variants, the simulator's speed and
// the firmware budgets, reduced to one report (docs/benchmarks.md). Order matters for the
// timed figures: the firmware on the real interpreter and the simulator speed are measured
// first, one at a time, while the worker pool is idle; then the matrix runs across cores.
import { cpus, loadavg } from 'node:os';
import { aggregate } from './aggregate';
import { benchMatrix, benchPoints } from './bench-matrix';
import type { BenchMatrix, BenchPoint } from './bench-matrix';
import type { PointResult } from './bench-point';
import { poolSize, runTasks } from './bench-pool';
import { BENCH_SCHEMA } from './bench-report';
import type { BenchReport, BreakdownRow, PointRow, SimFigures, VariantReport } from './bench-report';
import { rmsOf } from './depth-figures';
import { SETTLE_ALLOWANCE_STROKES, SETTLE_TOLERANCE_UM } from './depth-figures';
import { firmwareFigures } from './firmware-figures';
import type { FirmwareFigures } from './firmware-figures';
import { RATE_WINDOW_S } from './rate-figures';
import { measureSimSpeed } from './sim-speed';
import type { SimSpeed } from './sim-speed';
import { checkTargets } from './targets';
import type { PenVariant } from '../sim/physics/pen-hardware';

export interface BenchOptions {
  quick: boolean;
  seeds: number;
  workers: number;
  /** the Espruino interpreter built for Linux, for the memory and CPU budgets */
  espruinoBin?: string;
  command: string;
  /** a label for the phase and (done, total) over the whole bench */
  onProgress?: (phase: string, done: number, total: number) => void;
}

export const REFERENCE = 'true needle-tip protrusion beyond the cartridge at the bottom of each stroke, read by the virtual pen\'s rig (its gauge, 1 µm); the pen\'s own measurement is under depth.asMeasuredByPen';

const VARIANTS: PenVariant[] = ['voiceCoil', 'stepper'];

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const loadStart = loadavg()[0]!;
  const matrix = benchMatrix(o.quick, o.seeds);
  const points = VARIANTS.map((v) => benchPoints(matrix, v));
  const speedSeeds = o.quick ? [1] : [1, 2, 3];
  const speedS = o.quick ? 3 : 10;
  const total = 1 + speedSeeds.length * VARIANTS.length + points.reduce((n, p) => n + p.length, 0);
  let done = 0;
  const step = (phase: string): void => o.onProgress?.(phase, ++done, total);
  o.onProgress?.('firmware', 0, total);

  const firmware = await firmwareFigures(o.espruinoBin);
  step('firmware');
  const speeds: SimSpeed[][] = [];
  for (const v of VARIANTS) {
    const s: SimSpeed[] = [];
    for (const seed of speedSeeds) {
      s.push(await measureSimSpeed(v, seed, speedS));
      step(`sim speed (${v})`);
    }
    speeds.push(s);
  }

  const wall: number[] = [0, 0];
  const results: PointResult[][] = [];
  for (let k = 0; k < VARIANTS.length; k++) {
    const w0 = performance.now();
    const r = await runTasks(points[k]!.map((point) => ({ kind: 'point' as const, point })), {
      workers: o.workers, onProgress: () => step(`matrix (${VARIANTS[k]})`),
    });
    wall[k] = (performance.now() - w0) / 1000;
    results.push(r as PointResult[]);
  }

  const variant = (k: number, fw: FirmwareFigures): VariantReport => {
    const a = aggregate(results[k]!);
    return { depth: a.depth, speed: a.speed, faults: a.faults, sim: simFigures(speeds[k]!, speedSeeds, speedS, wall[k]!, poolSize(o.workers)), firmware: fw, breakdown: breakdown(matrix, results[k]!), points: results[k]!.map(pointRow) };
  };
  const main = variant(0, firmware);
  const stepper = variant(1, {
    ...firmware, jsVarsAfterBoot: null, controlUsPerStroke: null, controlCpuPct150: null,
    notes: ['one device bundle serves both drive variants (bundleBytes is the same file); the bench build that runs on the interpreter models a voice coil, so the stepper\'s control path is not measured on the interpreter'],
  });
  const host = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadAverageStart: round(loadStart, 2)!, loadAverageEnd: round(loadavg()[0]!, 2)! };
  const partial: Omit<BenchReport, 'targets'> = {
    schema: BENCH_SCHEMA, command: o.command, date: new Date().toISOString(), quick: o.quick,
    matrix: { ...matrix, pointsPerVariant: points[0]!.length, settleAllowanceStrokes: SETTLE_ALLOWANCE_STROKES, settleToleranceUm: SETTLE_TOLERANCE_UM, rateWindowS: RATE_WINDOW_S },
    reference: REFERENCE, ...main, stepper, host, wallS: Math.round((performance.now() - t0) / 100) / 10,
  };
  return { ...partial, targets: checkTargets(partial) };
}

function simFigures(s: SimSpeed[], seeds: number[], virtualS: number, matrixWallS: number, workers: number): SimFigures {
  return {
    realtimeFactor: median(s.map((x) => x.realtimeFactor)),
    linkedRealtimeFactor: median(s.map((x) => x.linkedRealtimeFactor)),
    samples: s.map((x, i) => ({ seed: seeds[i]!, realtimeFactor: round(x.realtimeFactor, 0), linkedRealtimeFactor: round(x.linkedRealtimeFactor, 0) })),
    virtualS, matrixWallS: Math.round(matrixWallS * 10) / 10, workers, error: s.find((x) => x.error)?.error ?? '',
  };
}

function breakdown(m: BenchMatrix, results: PointResult[]): BreakdownRow[] {
  const rows: BreakdownRow[] = [];
  const same = (a: BenchPoint, rate: number, depthMm: number, skin: string): boolean => a.rate === rate && a.depthMm === depthMm && a.skin === skin;
  for (const rate of m.rates) {
    for (const depthMm of m.depthsMm) {
      for (const skin of m.skins) {
        const a = aggregate(results.filter((r) => same(r.point, rate, depthMm, skin)));
        rows.push({
          rate, depthMm, skin, rmsUm: a.depth.rmsUm, maxUm: a.depth.maxUm, openLoopRmsUm: a.depth.openLoopRmsUm,
          floorRmsUm: a.depth.predictionFloor.perBlockRmsUm, floorMaxUm: a.depth.predictionFloor.perBlockMaxUm,
          settleStrokes: a.depth.settleStrokes, rateErrPct: a.speed.maxErrPct, faults: a.faults.reduce((n, f) => n + f.count, 0),
        });
      }
    }
  }
  return rows;
}

function pointRow(r: PointResult): PointRow {
  const p = r.point;
  const c = r.closed;
  const o = r.open;
  return {
    seed: p.seed, rate: p.rate, depthMm: p.depthMm, skin: p.skin, wobbleHz: p.wobble.freqHz, stiffnessStep: round(p.stiffnessStep, 3)!,
    rmsUm: c ? round(rmsOf(c.truth), 1) : null, maxUm: c && c.truth.n ? c.truth.maxAbsUm : null,
    openLoopRmsUm: o ? round(rmsOf(o.truth), 1) : null, openLoopMaxUm: o && o.truth.n ? o.truth.maxAbsUm : null,
    floorRmsUm: o?.floor ? round(rmsOf(o.floor.perBlock), 1) : null, floorMaxUm: o?.floor?.perBlock.n ? o.floor.perBlock.maxAbsUm : null,
    settleStart: c ? c.truth.settleStart : null, settleStep: c ? c.truth.settleStep : null,
    startupS: c ? c.startupS : null, penShift: c ? c.penShift : null,
    rateErrPct: c ? round(c.rateErrPct, 3) : null, openLoopRateErrPct: o ? round(o.rateErrPct, 3) : null,
    fault: r.error || [c?.fault && `closed: ${c.fault}`, o?.fault && `open: ${o.fault}`].filter(Boolean).join('; '),
  };
}

function median(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length / 2;
  return round(v.length % 2 ? v[Math.floor(mid)]! : (v[mid - 1]! + v[mid]!) / 2, 0);
}

function round(x: number | null, digits: number): number | null {
  if (x === null) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
