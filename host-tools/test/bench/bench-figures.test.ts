// The arithmetic behind the bench's figures, on hand-checkable series: settling, errors
// after the settling allowance, the rate slope, and how faulted or failed points are
// reported (left out of the figures, named with a count).
import { aggregate } from '@stipple/host-tools/bench/aggregate';
import type { BenchPoint } from '@stipple/host-tools/bench/bench-matrix';
import type { PointResult, RunFigures } from '@stipple/host-tools/bench/bench-point';
import { depthSummary, settleStrokes } from '@stipple/host-tools/bench/depth-figures';
import { rateMaxErrPct } from '@stipple/host-tools/bench/rate-figures';
import { alignPenToTruth } from '@stipple/host-tools/bench/pen-alignment';

test('depth: the first 5 strokes of each segment are left out; settling is the start of 10 strokes within 50 µm', () => {
  // set 1000 µm; segment A: 3 far-off strokes then on target; segment B (after the step): 12 strokes 60 µm short, then on target
  const a = [700, 800, 900, ...Array(20).fill(1010)];
  const b = [...Array(12).fill(940), ...Array(20).fill(995)];
  const s = depthSummary([...a, ...b], 1000, a.length);
  expect(s.settleStart).toBe(3);
  expect(s.settleStep).toBe(12);
  expect(s.segmentStrokes).toEqual([23, 32]);
  expect(s.n).toBe(23 - 5 + 32 - 5);
  expect(s.maxAbsUm).toBe(60); // the step's strokes 6…12 count
  expect(s.sumSqUm2).toBe(18 * 100 + 7 * 3600 + 20 * 25);
  expect(settleStrokes([0, 0, 0, 60, 0])).toBe(4); // fewer than 10 left: the rest of the segment must hold
  expect(settleStrokes([60, 60])).toBeNull();
});

test('rate: the least-squares stroke rate over 0.5 s windows, jitter of single bottoms averaged out', () => {
  const even = Array.from({ length: 100 }, (_, i) => i / 100);
  expect(rateMaxErrPct(even, 100, 50)).toBeCloseTo(0, 9);
  const slow = Array.from({ length: 100 }, (_, i) => i / 99.5); // 99.5 strokes/s
  expect(rateMaxErrPct(slow, 100, 50)).toBeCloseTo(0.5, 6);
  // ±0.5 ms alternating jitter on a 100 /s train: end-to-end it would read ±0.1 %, the fit much less
  const jitter = even.map((t, i) => t + (i % 2 ? 0.0005 : -0.0005));
  expect(rateMaxErrPct(jitter, 100, 50)!).toBeLessThan(0.02);
  expect(rateMaxErrPct([0, 0.01], 100, 1)).toBeNull();
});

const point = (seed: number): BenchPoint => ({
  variant: 'stepper', seed, rate: 100, depthMm: 1, skin: 'normal', segmentS: 1, leadInS: 2.5, wobble: { amplitudeMm: 0.2, freqHz: 2 }, stiffnessStep: 1.5,
});
const run = (errUm: number, fault = ''): RunFigures => ({
  truth: { n: 10, sumSqUm2: 10 * errUm * errUm, maxAbsUm: errUm, settleStart: 2, settleStep: 1, segmentStrokes: [50, 50] },
  pen: { n: 10, sumSqUm2: 10 * errUm * errUm, maxAbsUm: errUm, settleStart: 2, settleStep: 1, segmentStrokes: [50, 50] },
  penVsTrue: { n: 10, sumSqUm2: 160, maxAbsUm: 4 }, rateErrPct: 0.1, startupS: 1.9, penShift: 0, strokes: 100, fault,
  floor: { perStroke: { n: 10, sumSqUm2: 10 * 25, maxAbsUm: 7 }, perBlock: { n: 10, sumSqUm2: 10 * 400, maxAbsUm: 30 } },
});

test('faulted runs and points that could not run are left out of the figures and reported by name with a count', () => {
  const results: PointResult[] = [
    { point: point(1), closed: run(10), open: run(100), error: '', wallS: 0 },
    { point: point(2), closed: run(500, 'SENSOR_RANGE (hall raw 528..18080)'), open: run(100), error: '', wallS: 0 },
    { point: point(3), closed: run(500, 'SENSOR_RANGE (hall raw 600..18000)'), open: run(100), error: '', wallS: 0 },
    { point: point(4), closed: null, open: null, error: 'calibration (precheck): not calibrated', wallS: 0 },
  ];
  const a = aggregate(results);
  expect(a.depth.points).toBe(1);
  expect([a.depth.rmsUm, a.depth.maxUm, a.depth.openLoopRmsUm, a.depth.closedOverOpenRms]).toEqual([10, 10, 100, 0.1]);
  expect(a.depth.settleStrokes).toBe(2);
  expect(a.depth.startupS).toBe(1.9);
  expect(a.depth.predictionFloor).toEqual({ perStrokeRmsUm: 5, perStrokeMaxUm: 7, perStrokeOverOpenRms: 0.05, perBlockRmsUm: 20, perBlockMaxUm: 30, perBlockOverOpenRms: 0.2 });
  expect(a.faults).toEqual([
    { run: 'closed', fault: 'SENSOR_RANGE', count: 2, example: 'seed 2 100/s 1.0 mm normal: SENSOR_RANGE (hall raw 528..18080)' },
    { run: 'setup', fault: 'calibration (precheck): not calibrated', count: 1, example: 'seed 4 100/s 1.0 mm normal' },
  ]);
  const none = aggregate([results[3]!]);
  expect([none.depth.rmsUm, none.depth.maxUm, none.depth.settleStrokes, none.speed.maxErrPct]).toEqual([null, null, null, null]);
});

test('the pen\'s per-stroke series lines up with the rig\'s strokes: no shift when they match, the cam ramp\'s extra samples when they do not', () => {
  const truth = Array.from({ length: 80 }, (_, j) => 1000 + 30 * Math.sin(j / 3));
  const same = truth.map((t, j) => t + (j % 2 ? 3 : -3)); // pen noise
  expect(alignPenToTruth(same, truth, 10).shift).toBe(0);
  const ahead = [...Array(7).fill(200), ...same]; // 7 depths the pen reported before the cam made those strokes
  const r = alignPenToTruth(ahead, truth, 10);
  expect(r.shift).toBe(-7);
  expect(r.aligned[20]).toBe(same[20]);
});
