// Step 3b, the stroke model (voice coil), in air. The new Hall calibration goes onto the
// pen as a trial (RAM only, SERVICE runs only; it also makes the pen check every capture
// against the hard limit in the new units). Then at each stroke-rate bin two strokes are
// captured, at the drives the identified model predicts for ~0.6 mm and ~1.7 mm, and the
// bottom of stroke (the firmware's parabolic peak) is fitted linear in u = duty·V/7.4.
import type { ActuatorModel } from './actuator-model';
import { buildCalibration } from './calibration-record';
import type { CalibrationMeta } from './calibration-record';
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';
import type { HallFit } from './hall-fit';
import { hallMm } from './hall-fit';
import { supplyVoltsFromAdc } from '@stipple/firmware/hal/analog-scaling';
import { fitStrokeModel, normalisedDrive } from './stroke-model-fit';
import type { StrokeModelFit, StrokePoint } from './stroke-model-fit';
import { dutyForBottom, predictBottom } from './stroke-simulation';

/** Stroke-rate bins of the model (the working range 50–150 strokes/s). */
export const STROKE_RATES = [50, 75, 100, 125, 150];
/** Push fraction of the stroke clock (DRIVE_PHASE duty) written to the record: reaches 2.0 mm at 150/s within duty 0.8 (docs/simulator.md). */
export const STROKE_PUSH = 0.5;
const CAPTURE_N = 64;
const LOW_MM = 0.6;
const HIGH_MM = 1.7;

export interface StrokeCapturePoint extends StrokePoint {
  predictedMm: number;
}

export interface StrokeResult {
  model: StrokeModelFit;
  points: StrokeCapturePoint[];
}

/** Sub-sample peak of one captured stroke (firmware/src/control/block-analysis.ts refinedPeak). */
export function refinedPeak(buf: readonly number[]): number {
  let i = 0;
  for (let j = 1; j < buf.length; j++) if (buf[j] > buf[i]) i = j;
  const n = buf.length;
  const left = buf[i > 0 ? i - 1 : n - 1];
  const right = buf[i < n - 1 ? i + 1 : 0];
  const max = buf[i];
  const curv = left - 2 * max + right;
  return curv < 0 ? max - ((right - left) * (right - left)) / (8 * curv) : max;
}

export async function strokeStep(ctx: CalibrationContext, o: { hall: HallFit; actuator: ActuatorModel; limitMm: number; meta: CalibrationMeta }): Promise<StrokeResult> {
  const s0 = await ctx.run(ctx.client.sensors());
  const volts = supplyVoltsFromAdc(s0.vsupply / 65535);
  const predicted = fitStrokeModel(
    STROKE_RATES.flatMap((rate) => [0.3, 0.5].map((duty) => ({ rate, duty, volts, bottomMm: predictBottom(o.actuator, rate, STROKE_PUSH, duty, volts) }))),
    STROKE_PUSH,
  );
  // trial: the new Hall and the predicted stroke model, in RAM for SERVICE runs only
  const trial = buildCalibration({ hall: o.hall, stroke: predicted, actuator: o.actuator, gains: { kp: 0, ki: 0.5 }, meta: o.meta });
  await ctx.run(ctx.client.calWrite(trial, true));
  const high = Math.min(HIGH_MM, o.limitMm - 0.2);
  const points: StrokeCapturePoint[] = [];
  let k = 0;
  for (const rate of STROKE_RATES) {
    for (const target of [LOW_MM, high]) {
      const duty = Math.min(0.95, Math.max(0.05, dutyForBottom(o.actuator, rate, STROKE_PUSH, volts, target)));
      const cap = await ctx.run(ctx.client.capture(rate, duty, CAPTURE_N, 'hall'));
      const bottomMm = hallMm(o.hall, refinedPeak(cap.samples));
      const label = `${rate}/s drive ${duty.toFixed(3)}`;
      ctx.samples.series('stroke', label, 'needle', cap.fs, cap.samples, cap.samples.map((r) => hallMm(o.hall, r)), 'mm');
      points.push({ rate, duty, volts, bottomMm, predictedMm: target });
      ctx.progress(++k / (2 * STROKE_RATES.length), `${label}: bottom ${bottomMm.toFixed(3)} mm`);
    }
  }
  let model: StrokeModelFit;
  try {
    model = fitStrokeModel(points, STROKE_PUSH);
  } catch (e) {
    throw new CalibrationError('stroke', (e as Error).message);
  }
  for (const p of points) {
    if (Math.abs(p.bottomMm - p.predictedMm) > 0.35) {
      throw new CalibrationError('stroke', `at ${p.rate}/s drive ${p.duty.toFixed(3)} the stroke reached ${p.bottomMm.toFixed(3)} mm where the identified actuator predicts ${p.predictedMm.toFixed(2)} mm: the actuator changed during calibration (heating, a loose cartridge) — let it cool and repeat`);
    }
  }
  ctx.log(`stroke model (push ${STROKE_PUSH}): ${model.rates.map((r, i) => `${r}/s ${model.gain[i].toFixed(3)}·u${model.offset[i] >= 0 ? '+' : ''}${model.offset[i].toFixed(3)}`).join(', ')}  (u = duty·V/7.4, mean drive ${normalisedDrive(0.4, volts).toFixed(2)} at duty 0.4)`);
  return { model, points };
}
