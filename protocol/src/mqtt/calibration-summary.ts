// …/<serial>/calibration (retained, QoS 1): a summary of the calibration record in force
// on the pen (what its last certificate wrote): who, when, which model, the gains.
import { z } from 'zod';
import { CalStatus, Rate } from '../schemas';
import { CAL_TABLE_MAX } from '../limits';
import { PayloadVersion, Serial, Timestamp } from './common';

const text = (max: number) => z.string().max(max).nullable();

export const CalibrationSummaryPayload = z.strictObject({
  v: PayloadVersion,
  ts: Timestamp,
  serial: Serial,
  status: CalStatus.describe('ok, missing or corrupt'),
  date: text(32).describe('calibration date (ISO) from the record'),
  ageDays: z.int().min(0).max(100000).nullable().describe('whole days from the calibration date to ts'),
  technician: text(32),
  gaugeId: text(32),
  firmware: text(24).describe('firmware version the calibration was made with'),
  model: z.enum(['stroke', 'stage']).nullable().describe('stroke: voice-coil stroke model; stage: stepper depth stage'),
  rates: z.array(Rate).max(CAL_TABLE_MAX).nullable().describe('stroke rates of the stroke model table, strokes/s'),
  gains: z.strictObject({ kp: z.number(), ki: z.number() }).nullable().describe('depth loop gains'),
  actuatorIdentified: z.boolean().describe('the record carries identified actuator parameters'),
});
export type CalibrationSummaryPayload = z.infer<typeof CalibrationSummaryPayload>;
