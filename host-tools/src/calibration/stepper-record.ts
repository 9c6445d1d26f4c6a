// The record written to a stepper pen (protocol/src/schemas.ts Calibration: hall, stage,
// gains, meta; no stroke model or actuator), rounded to what the measurements support and
// checked against the protocol's schema before it is sent.
import { Calibration as CalibrationSchema } from '@stipple/protocol';
import type { Calibration } from '@stipple/protocol';
import type { CalibrationMeta } from './calibration-record';

export function buildStepperCalibration(o: {
  hall: { offset: number; mmPerUnit: number };
  stage: { stepsPerMm: number; depthAtHome: number; stepsPerRev: number; lobes: number };
  gains: { kp: number; ki: number };
  meta: CalibrationMeta;
}): Calibration {
  const cal: Calibration = {
    hall: { offset: round(o.hall.offset, 7), mmPerUnit: round(o.hall.mmPerUnit, 6) },
    stage: { stepsPerMm: round(o.stage.stepsPerMm, 2), depthAtHome: round(o.stage.depthAtHome, 4), stepsPerRev: o.stage.stepsPerRev, lobes: o.stage.lobes },
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
