// …/<serial>/telemetry (QoS 0, not retained): one summary per second of the pen's clock,
// from its per-stroke measurements. Dropped (and counted) while the broker is away.
import { z } from 'zod';
import { StateName } from '../schemas';
import { Count, PayloadVersion, Serial, Timestamp } from './common';

const mm = (what: string) => z.number().min(-10).max(10).nullable().describe(`${what}, mm (null: no strokes in the window)`);

export const TelemetrySummaryPayload = z.strictObject({
  v: PayloadVersion,
  ts: Timestamp,
  serial: Serial,
  penMs: Count.describe('pen clock at the end of the window, ms since its boot'),
  windowS: z.number().min(0).max(3600).describe('length of the window on the pen\'s clock, s'),
  state: StateName.describe('pen state at the end of the window'),
  fault: z.int().min(0).max(255).describe('latched fault code at the end of the window, 0 none'),
  warn: z.int().min(0).max(255).describe('warning bits (WARN_NAMES) of the last record'),
  strokes: Count.describe('strokes measured in the window'),
  dots: Count.describe('of which in skin'),
  rate: z.number().min(0).max(1000).describe('measured stroke rate, strokes/s: strokes over pen time between the window\'s records (strokes/windowS with fewer than two)'),
  rateSet: z.int().min(0).max(1000).nullable().describe('commanded stroke rate, strokes/s (null: no strokes)'),
  depthSetMm: mm('depth setpoint'),
  depthMeanMm: mm('mean measured bottom-of-stroke depth'),
  depthRmsErrMm: z.number().min(0).max(10).nullable().describe('RMS of (measured − setpoint) over the window\'s strokes, mm (null: no strokes)'),
  depthMaxErrMm: z.number().min(0).max(10).nullable().describe('largest |measured − setpoint|, mm (null: no strokes)'),
  records: Count.describe('pen telemetry records summarised'),
  linkLost: Count.describe('pen events lost on the serial link so far (sequence gaps)'),
  dropped: Count.describe('telemetry messages of this pen dropped while the broker was away, so far'),
});
export type TelemetrySummaryPayload = z.infer<typeof TelemetrySummaryPayload>;
