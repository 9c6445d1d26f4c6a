// Telemetry is compact enough: the worst case (every field at its widest, per-stroke
// depths, the smallest allowed record, 150 strokes/s) stays within 5 kB/s on the link.
import { encodeFrameJson, checkEvent } from '../src/envelope';
import { encodeEventPacket } from '../src/packet';
import { RATE_MAX, SEQ_MAX, TLM_ALL, TLM_BUDGET_BPS, TLM_EVERY_MAX, TLM_EVERY_MIN, TLM_FIELDS, TLM_MAX, TLM_MIN, TLM_DEPTH_MIN_UM, TLM_STROKE_FIELDS } from '../src/limits';
import { decodeTelemetry, encodeTelemetry, telemetryMask } from '../src/telemetry';

/** The widest text of each field's value. */
const widest = TLM_FIELDS.map((_, k) => (String(TLM_MIN[k]).length > String(TLM_MAX[k]).length ? TLM_MIN[k] : TLM_MAX[k]));

function worstBytesPerSecond(every: number): number {
  const rec = encodeTelemetry(widest, TLM_ALL, new Array(every).fill(TLM_DEPTH_MIN_UM));
  const packet = encodeEventPacket(encodeFrameJson('tlm', SEQ_MAX, rec));
  return (packet.length * RATE_MAX) / every;
}

test(`worst-case telemetry fits in ${TLM_BUDGET_BPS} B/s at ${RATE_MAX} strokes/s`, () => {
  let worst = 0;
  let at = 0;
  for (let n = TLM_EVERY_MIN; n <= TLM_EVERY_MAX; n++) {
    const bps = worstBytesPerSecond(n);
    if (bps > worst) { worst = bps; at = n; }
  }
  // report it: e.g. "worst 3690 B/s at every=10"
  console.log(`telemetry worst case: ${Math.round(worst)} B/s at every=${at} strokes (all fields, per-stroke depths)`);
  expect(worst).toBeLessThanOrEqual(TLM_BUDGET_BPS);
  expect(at).toBe(TLM_EVERY_MIN);
});

test('records round-trip and validate; field selection and bad records', () => {
  const values = [1000, 800, 790, 120, 500, 900, 350, 3, 0, 1, 9, 10];
  const mask = telemetryMask(['t', 'depthUm', 'n']);
  const rec = encodeTelemetry(values, mask, [780, 800]);
  expect(rec).toEqual([mask, 1000, 790, 10, [780, 800]]);
  expect(checkEvent('tlm', rec).ok).toBe(true);
  expect(decodeTelemetry(rec)).toEqual({ t: 1000, depthUm: 790, n: 10, depths: [780, 800] });
  expect(decodeTelemetry(encodeTelemetry(values, TLM_ALL))).toEqual(Object.fromEntries(TLM_FIELDS.map((f, k) => [f, values[k]])));
  expect(() => decodeTelemetry([mask, 1000])).toThrow(RangeError);
  expect(() => decodeTelemetry([mask, 1000, 790, 10, 5])).toThrow(RangeError);
  expect(() => decodeTelemetry([mask, 1000, 99999, 10])).toThrow(RangeError);
  expect(() => telemetryMask(['nope'])).toThrow(RangeError);
});

test('the fields a record without strokes leaves out are those of measured strokes', () => {
  expect(TLM_STROKE_FIELDS).toBe(telemetryMask(['depthUm', 'duty', 'inSkin', 'n']));
});
