// The 1 s summary from pen telemetry records: stroke and dot counts, the rate from the
// records' own pen times (not from how many records fell in the window), depth mean, RMS
// and largest error against the setpoint over every stroke, and an empty window.
import { TelemetryWindow } from '../../src/bridge/telemetry-window';

const rec = (t: number, depths: number[], o: { setUm?: number; rate?: number; inSkin?: number } = {}) => ({
  t, setUm: o.setUm ?? 1000, depthUm: depths.at(-1)!, rate: o.rate ?? 120, duty: 400, mA: 500, dC: 300, state: 3, fault: 0, warn: 0,
  inSkin: o.inSkin ?? depths.length, n: depths.length, depths,
});

test('rate from the records\' pen times, depth against the setpoint over every stroke', () => {
  const w = new TelemetryWindow(0);
  // 21 strokes per record at 120/s: a record every 175 ms; six land in the first second
  const depths = (k: number) => Array.from({ length: 21 }, (_, j) => 1000 + ((k + j) % 3) - 1); // 999, 1000, 1001…
  for (let k = 0; k < 6; k++) w.add(rec(100 + k * 175, depths(k)));
  const a = w.close(1000, 'RUNNING', 0);
  expect(a).toMatchObject({ strokes: 126, dots: 126, records: 6, rateSet: 120, depthSetMm: 1, state: 'RUNNING', penMs: 1000, windowS: 1 });
  expect(a.rate).toBeCloseTo(120, 0);
  expect(a.depthMeanMm).toBeCloseTo(1.0, 4);
  expect(a.depthRmsErrMm).toBeCloseTo(Math.sqrt(2 / 3) / 1000, 4); // published to 0.1 µm
  expect(a.depthMaxErrMm).toBe(0.001);
  // five records in the next second: same rate, fewer strokes
  for (let k = 6; k < 11; k++) w.add(rec(100 + k * 175, depths(k), { inSkin: 0 }));
  const b = w.close(2000, 3, 0);
  expect(b).toMatchObject({ strokes: 105, dots: 0, records: 5, state: 'RUNNING' });
  expect(b.rate).toBeCloseTo(120, 0);
  // nothing: no strokes, nulls
  expect(w.close(3000, 'READY', 0)).toMatchObject({ strokes: 0, rate: 0, rateSet: null, depthSetMm: null, depthMeanMm: null, depthRmsErrMm: null, depthMaxErrMm: null });
  // the first record of a new run after a pause is not part of the rate; an offset run shows its error
  w.add(rec(10000, Array(20).fill(1100)));
  w.add(rec(10200, Array(20).fill(1100)));
  const c = w.close(11000, 'RUNNING', 0);
  expect(c.rate).toBe(100);
  expect(c.depthRmsErrMm).toBeCloseTo(0.1, 6);
  expect(c.depthMaxErrMm).toBeCloseTo(0.1, 6);
});

test('records without strokes (a stepper\'s stage travel) count as records only: no strokes, no rate span, no set rate', () => {
  const w = new TelemetryWindow(0);
  const none = (t: number, rate: number) => ({ t, setUm: 1000, rate, dC: 300, state: 3, fault: 0, warn: 0 });
  for (let k = 0; k < 6; k++) w.add(none(125 * k, 0));
  w.add(none(750, 120)); // the cam turns: its first strokes come with the next record
  w.add(rec(875, Array(21).fill(1000)));
  w.add(rec(1050, Array(21).fill(1000)));
  // the span runs from the first record of strokes: 21 strokes in 175 ms (not 21 since 750 ms or 42 since 0)
  expect(w.close(1100, 'RUNNING', 0)).toMatchObject({ records: 9, strokes: 42, dots: 42, rate: 120, rateSet: 120, depthMeanMm: 1 });
  w.add(none(1200, 0));
  expect(w.close(2000, 'RUNNING', 0)).toMatchObject({ records: 1, strokes: 0, rateSet: null, depthMeanMm: null });
});
