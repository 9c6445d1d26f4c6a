// The record written to a stepper pen (protocol/src/schemas.ts Calibration: hall, stage,
// gains, meta; no stroke model or actuator), rounded to what the measurements support and
// checked against the protocol's schema before it is sent.
import type { Calibration } from '@stipple/protocol';
import { checkedRecord, hallRecord, metaRecord, roundTo } from './calibration-record';
import type { CalibrationMeta } from './calibration-record';

export function buildStepperCalibration(o: {
  hall: { offset: number; mmPerUnit: number };
  stage: { stepsPerMm: number; depthAtHome: number; stepsPerRev: number; lobes: number };
  gains: { kp: number; ki: number };
  meta: CalibrationMeta;
}): Calibration {
  return checkedRecord({
    hall: hallRecord(o.hall),
    stage: { stepsPerMm: roundTo(o.stage.stepsPerMm, 2), depthAtHome: roundTo(o.stage.depthAtHome, 4), stepsPerRev: o.stage.stepsPerRev, lobes: o.stage.lobes },
    gains: { kp: o.gains.kp, ki: o.gains.ki },
    meta: metaRecord(o.meta),
  });
}
