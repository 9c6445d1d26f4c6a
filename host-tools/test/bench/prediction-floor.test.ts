// The prediction floor on series whose answer is known: what is predictable from the past
// goes, what is not stays, and the further back the predictor must look the more stays.
import { FLOOR_TAPS, leastSquares, predictionFloor } from '@stipple/host-tools/bench/prediction-floor';
import { rmsOf } from '@stipple/host-tools/bench/depth-figures';

/** A seeded uniform generator, so the noise series are the same every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const all = (): boolean => true;

test('least squares recovers the weights of an exact linear relation', () => {
  const r = lcg(1);
  const x = Array.from({ length: 40 }, () => [1, r(), r()]);
  const w = leastSquares(x, x.map((v) => 3 - 2 * v[1]! + 0.5 * v[2]!));
  expect(w[0]).toBeCloseTo(3, 6);
  expect(w[1]).toBeCloseTo(-2, 6);
  expect(w[2]).toBeCloseTo(0.5, 6);
  expect(leastSquares([[1, 5]], [7])).toEqual([7, 0]); // too few rows: the mean
});

test('a constant series (a stepper\'s open loop: every column the same) is solvable and fully predicted', () => {
  const s = predictionFloor(new Array<number>(100).fill(-12), () => 1, all);
  expect(s.n).toBe(100 - 1 - (FLOOR_TAPS - 1));
  expect(rmsOf(s)!).toBeLessThan(1e-6);
});

test('a sinusoidal wobble is predictable: its floor is near 0 even 6 strokes ahead, and its offset goes too', () => {
  const err = Array.from({ length: 400 }, (_, k) => -100 + 50 * Math.sin((2 * Math.PI * k) / 10));
  const s = predictionFloor(err, () => 6, all);
  expect(s.n).toBe(400 - 6 - (FLOOR_TAPS - 1));
  expect(rmsOf(s)!).toBeLessThan(0.01);
});

test('white tissue patchiness is not: its floor is its own spread', () => {
  const r = lcg(7);
  const err = Array.from({ length: 2000 }, () => 30 * (r() - 0.5)); // uniform ±15: σ = 8.66
  const s = predictionFloor(err, () => 1, all);
  expect(rmsOf(s)!).toBeGreaterThan(8.2);
  expect(rmsOf(s)!).toBeLessThan(8.9);
});

test('a slow wobble with noise: looking further back leaves more, one predictor per lag, only the counted strokes', () => {
  const r = lcg(3);
  const err = Array.from({ length: 600 }, (_, k) => 80 * Math.sin((2 * Math.PI * k) / 30) * (1 + 0.3 * Math.sin(k / 97)) + 10 * (r() - 0.5));
  const one = rmsOf(predictionFloor(err, () => 1, all))!;
  const six = rmsOf(predictionFloor(err, () => 6, all))!;
  expect(six).toBeGreaterThan(one);
  // blocks of 3: lags 1, 2, 3 in turn, in between the two
  const blocks = rmsOf(predictionFloor(err, (k) => (k % 3) + 1, all))!;
  expect(blocks).toBeGreaterThan(one);
  expect(blocks).toBeLessThan(six);
  const half = predictionFloor(err, () => 1, (k) => k >= 300);
  expect(half.n).toBe(300);
});
