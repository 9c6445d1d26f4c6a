// The calibration record: what a technician's calibration measured on this pen.
// Written by the host (stipple calibrate) in SERVICE mode, kept in flash.

export const CALIBRATION_VERSION = 1;

export interface HallCalibration {
  /** raw ADC reading (0..1) at zero protrusion */
  offset: number;
  /** mm of protrusion per unit of raw ADC reading */
  mmPerUnit: number;
}

/** Air bottom-of-stroke depth against normalised drive, per stroke-rate bin: depth = gain·u + offset. */
export interface StrokeModel {
  rates: number[];
  gain: number[];
  offset: number[];
  /** push fraction of the stroke clock used when this model was measured */
  push: number;
}

export interface StageCalibration {
  stepsPerMm: number;
  /** bottom-of-stroke depth (mm) with the stage at home (step 0) */
  depthAtHome: number;
  /** cam steps per revolution (the step input) and strokes per revolution */
  stepsPerRev: number;
  lobes: number;
}

export interface Calibration {
  hall: HallCalibration;
  stroke?: StrokeModel;
  stage?: StageCalibration;
  /** identified actuator (voice coil): resistance Ω, force constant N/A, spring N/mm, mass g, damping N·s/m */
  actuator?: { r: number; kf: number; k: number; m: number; c: number };
  /** dimensionless loop gains (fraction of the depth error corrected per block), derived on the host from the identified model, never hand-typed */
  gains: { kp: number; ki: number };
  meta: { technician: string; gaugeId: string; date: string; firmware: string; serial: string };
}

/** Cheap structural check of a calibration read from flash or sent by the host. */
export function isCalibration(c: any): boolean {
  if (!c || typeof c !== 'object' || !c.hall || !c.gains || !c.meta) return false;
  if (typeof c.hall.offset !== 'number' || typeof c.hall.mmPerUnit !== 'number' || !(c.hall.mmPerUnit > 0)) return false;
  if (typeof c.gains.kp !== 'number' || typeof c.gains.ki !== 'number') return false;
  if (!c.stroke && !c.stage) return false;
  if (c.stroke) {
    const s = c.stroke;
    if (!Array.isArray(s.rates) || s.rates.length < 1 || s.gain.length !== s.rates.length || s.offset.length !== s.rates.length) return false;
    for (let i = 0; i < s.gain.length; i++) if (!(s.gain[i] > 0)) return false;
    if (!(s.push > 0 && s.push < 1)) return false;
  }
  if (c.stage && !(c.stage.stepsPerMm > 0 && c.stage.stepsPerRev > 0 && c.stage.lobes > 0)) return false;
  return true;
}

/** Linear interpolation in a table, clamped at its ends. */
export function interpolate(xs: number[], ys: number[], x: number): number {
  const n = xs.length;
  if (x <= xs[0]) return ys[0];
  if (x >= xs[n - 1]) return ys[n - 1];
  let i = 1;
  while (xs[i] < x) i++;
  const f = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
  return ys[i - 1] + f * (ys[i] - ys[i - 1]);
}
