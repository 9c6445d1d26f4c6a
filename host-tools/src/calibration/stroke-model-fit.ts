// The stroke model the firmware's depth loop feeds forward with: per stroke-rate bin, the
// in-air bottom-of-stroke protrusion is gain·u + offset, u = duty·V/7.4 (drive normalised
// to the nominal supply). Fitted from captured strokes measured by the freshly calibrated
// Hall sensor, so the model is in the units the firmware measures in.
import { fitLine } from './least-squares';

export const NOMINAL_SUPPLY_V = 7.4;

export interface StrokePoint {
  rate: number;
  duty: number;
  /** supply while stroking, V */
  volts: number;
  /** measured bottom of stroke, mm */
  bottomMm: number;
}

export interface StrokeModelFit {
  rates: number[];
  gain: number[];
  offset: number[];
  push: number;
}

export function normalisedDrive(duty: number, volts: number): number {
  return (duty * volts) / NOMINAL_SUPPLY_V;
}

export function fitStrokeModel(points: readonly StrokePoint[], push: number): StrokeModelFit {
  const rates = [...new Set(points.map((p) => p.rate))].sort((a, b) => a - b);
  const gain: number[] = [];
  const offset: number[] = [];
  for (const r of rates) {
    const at = points.filter((p) => p.rate === r);
    const f = fitLine(at.map((p) => normalisedDrive(p.duty, p.volts)), at.map((p) => p.bottomMm));
    if (!(f.slope > 0)) throw new Error(`at ${r} strokes/s the needle does not go deeper with more drive (${at.map((p) => p.bottomMm.toFixed(3)).join(', ')} mm): jam or coil fault`);
    gain.push(round(f.slope));
    offset.push(round(f.intercept));
  }
  return { rates, gain, offset, push };
}

/** Bottom of stroke the model predicts, mm (linear in rate between bins, as the firmware). */
export function modelBottom(m: StrokeModelFit, rate: number, u: number): number {
  const i = m.rates.findIndex((r) => r >= rate);
  if (i === 0) return m.gain[0] * u + m.offset[0];
  if (i < 0) return m.gain[m.gain.length - 1] * u + m.offset[m.offset.length - 1];
  const f = (rate - m.rates[i - 1]) / (m.rates[i] - m.rates[i - 1]);
  const g = m.gain[i - 1] + f * (m.gain[i] - m.gain[i - 1]);
  const o = m.offset[i - 1] + f * (m.offset[i] - m.offset[i - 1]);
  return g * u + o;
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}
