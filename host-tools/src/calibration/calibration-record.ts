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
  return checkedRecord({
    hall: hallRecord(o.hall),
    stroke: { rates: o.stroke.rates, gain: o.stroke.gain, offset: o.stroke.offset, push: o.stroke.push },
    actuator: actuatorRecord(o.actuator),
    gains: { kp: o.gains.kp, ki: o.gains.ki },
    meta: metaRecord(o.meta),
  });
}

/** The Hall fit as stored: rounded to what the measurements support. */
export function hallRecord(h: { offset: number; mmPerUnit: number }): Calibration['hall'] {
  return { offset: roundTo(h.offset, 7), mmPerUnit: roundTo(h.mmPerUnit, 6) };
}

/** The meta strings cut to the record's 32 characters. */
export function metaRecord(m: CalibrationMeta): CalibrationMeta {
  return { ...m, technician: m.technician.slice(0, 32), gaugeId: m.gaugeId.slice(0, 32), date: m.date.slice(0, 32) };
}

/** The record itself if the protocol's schema takes it; else an error naming each field it refuses. */
export function checkedRecord(cal: Calibration): Calibration {
  const chk = CalibrationSchema.safeParse(cal);
  if (!chk.success) throw new Error(`calibration record does not fit the protocol: ${chk.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return cal;
}

export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
