// A bench point is a pure function of its parameters and seed: the same point gives the same
// figures whether its pen is calibrated for it or was calibrated earlier for another point,
// and whatever the wall clock said when that happened (each bench worker calibrates the pens
// it is handed, at its own moment). The two wall-clock instants below give the calibration
// record CRCs of different lengths, so a dated-by-the-wall-clock record would reach the pen
// in a frame one byte longer and shift the pen's timeline by one byte time on the link.
import { benchMatrix, benchPoints } from '@stipple/host-tools/bench/bench-matrix';
import { runBenchPoint } from '@stipple/host-tools/bench/bench-point';
import type { PointResult } from '@stipple/host-tools/bench/bench-point';
import { clearCalibrationCache } from '@stipple/host-tools/sim/calibrated-sim-pen';

/** Everything a point reports but its wall time. */
const figures = ({ wallS: _wallS, ...rest }: PointResult): Omit<PointResult, 'wallS'> => rest;

beforeEach(() => {
  clearCalibrationCache();
  // only Date is faked: the simulator and the link run on virtual time and setImmediate
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
});

afterEach(() => {
  jest.useRealTimers();
  clearCalibrationCache();
});

test('the same point, its pen calibrated fresh or earlier for another point at another wall-clock second, gives the same figures', async () => {
  const points = benchPoints(benchMatrix(true, 1), 'voiceCoil');
  const [a, b] = [points[0]!, points[1]!];
  expect([a.seed, b.seed]).toEqual([1, 1]);
  expect(b).not.toEqual(a);

  jest.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  const fresh = await runBenchPoint(a);
  expect(fresh.error).toBe('');

  clearCalibrationCache();
  jest.setSystemTime(new Date('2026-01-01T00:00:01Z'));
  await runBenchPoint(b); // calibrates seed 1 for b
  const after = await runBenchPoint(a); // a's pen gets b's cached record
  expect(figures(after)).toEqual(figures(fresh));
}, 60000);
