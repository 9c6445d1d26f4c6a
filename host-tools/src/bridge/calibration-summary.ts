// The …/calibration payload from the pen's calibration record (calRead): who calibrated
// it, when, with what, and which model and gains are in force.
import type { CalibrationSummaryPayload, ReplyBody } from '@stipple/protocol';
import { MQTT_PAYLOAD_VERSION } from '@stipple/protocol';
import { ageDays } from '../cli/info/read-pen-info';

export function calibrationSummary(serial: string, cal: ReplyBody<'calRead'>, now: number): CalibrationSummaryPayload {
  const c = cal.cal;
  const date = c?.meta.date ?? null;
  return {
    v: MQTT_PAYLOAD_VERSION,
    ts: now,
    serial,
    status: cal.status,
    date,
    ageDays: date ? ageDays(date, now) : null,
    technician: c?.meta.technician ?? null,
    gaugeId: c?.meta.gaugeId ?? null,
    firmware: c?.meta.firmware ?? null,
    model: c ? (c.stroke ? 'stroke' : 'stage') : null,
    rates: c?.stroke ? c.stroke.rates.slice() : null,
    gains: c ? { kp: c.gains.kp, ki: c.gains.ki } : null,
    actuatorIdentified: !!c?.actuator,
  };
}
