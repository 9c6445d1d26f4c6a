// The record written to the pen (protocol/src/schemas.ts Calibration, firmware
// firmware/src/control/calibration.ts): built in one place, rounded to what the
// measurements support, checked against the protocol's schema before it is sent.
import { Calibration as CalibrationSchema } from '@stipple/protocol';
import type { Calibration } from '@stipple/protocol';
import type { ActuatorModel } from './actuator-model';
import { actuatorRecord } from './actuator-model';
import type { HallFit } from './hall-fit';
import type { StrokeModelFit } from './stroke-model-fit';

export interface CalibrationMeta {
  technician: string;
  gaugeId: string;
  /** ISO date-time */
  date: string;
  firmware: string;
  serial: string;
}

export function buildCalibration(o: {
  hall: Pick<HallFit, 'offset' | 'mmPerUnit'>;
  stroke: StrokeModelFit;
  actuator: ActuatorModel;
  gains: { kp: number; ki: number };
  meta: CalibrationMeta;
}): Calibration {
  const cal: Calibration = {
    hall: { offset: round(o.hall.offset, 7), mmPerUnit: round(o.hall.mmPerUnit, 6) },
    stroke: { rates: o.stroke.rates, gain: o.stroke.gain, offset: o.stroke.offset, push: o.stroke.push },
    actuator: actuatorRecord(o.actuator),
    gains: { kp: o.gains.kp, ki: o.gains.ki },
    meta: { ...o.meta, technician: o.meta.technician.slice(0, 32), gaugeId: o.meta.gaugeId.slice(0, 32), date: o.meta.date.slice(0, 32) },
  };
  const chk = CalibrationSchema.safeParse(cal);
  if (!chk.success) throw new Error(`calibration record does not fit the protocol: ${chk.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return cal;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
