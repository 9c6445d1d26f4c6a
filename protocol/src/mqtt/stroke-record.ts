// …/<serial>/telemetry/strokes (QoS 0, opt-in: `stipple bridge --raw-strokes`): each pen
// telemetry record as it came, with the per-stroke measured depths.
import { z } from 'zod';
import { TLM_DEPTH_MAX_UM, TLM_DEPTH_MIN_UM, TLM_EVERY_MAX, TLM_FIELDS, TLM_MAX, TLM_MIN } from '../limits';
import { PayloadVersion, Serial, Timestamp } from './common';

const field = (name: string, what: string) => {
  const k = TLM_FIELDS.indexOf(name);
  return z.int().min(TLM_MIN[k]!).max(TLM_MAX[k]!).describe(what);
};

export const StrokeRecordPayload = z.strictObject({
  v: PayloadVersion,
  ts: Timestamp,
  serial: Serial,
  penMs: field('t', 'pen time of the record, ms since boot'),
  setUm: field('setUm', 'depth setpoint, µm'),
  depthUm: field('depthUm', 'mean bottom-of-stroke depth of the last block, µm'),
  rate: field('rate', 'commanded stroke rate, strokes/s'),
  duty: field('duty', 'drive level, ‰'),
  mA: field('mA', 'coil/motor current, mA'),
  dC: field('dC', 'coil temperature, 0.1 °C'),
  state: field('state', 'state index (STATE_NAMES)'),
  fault: field('fault', 'latched fault code, 0 none'),
  warn: field('warn', 'warning bits'),
  inSkin: field('inSkin', 'strokes in skin'),
  n: field('n', 'strokes in the record'),
  depthsUm: z.array(z.int().min(TLM_DEPTH_MIN_UM).max(TLM_DEPTH_MAX_UM)).max(TLM_EVERY_MAX).describe('measured bottom-of-stroke depth of each stroke, µm'),
});
export type StrokeRecordPayload = z.infer<typeof StrokeRecordPayload>;
