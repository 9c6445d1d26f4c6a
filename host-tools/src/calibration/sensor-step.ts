// Step 2, the sensor (voice coil). With the cartridge tip free in air and the dial
// indicator on the needle tip, the pen holds a series of drive levels from rest out to
// about 2.3 mm (or short of the hard limit when a calibration is in force: the pen checks
// every reading against it), then on out to the extended end stop where the needle stops
// moving. At each: gauge, Hall, coil current and supply. The Hall offset and gain are
// fitted over the positions clear of the stop, then checked (band, monotonicity, gain,
// noise from repeated readings, residuals) — a failure names the position and the cause.
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';
import { checkHallFit, checkHallPoints, fitHall, hallMm, HALL_LIMITS } from './hall-fit';
import type { HallFit, HallPoint } from './hall-fit';
import { holdAndRead } from './held-position';
import type { HeldPoint } from './held-position';
import { fitLine, stdDev } from './least-squares';

export const AIR_INSTRUCTIONS =
  'Mount the pen in the gauge stand with the cartridge tip free (nothing touching the needle or the cartridge) and the dial indicator\'s probe resting on the needle tip; zero the dial at the cartridge tip face.';

/** Needle positions the fit spans, mm of protrusion (the working range is 0.2–2.0 mm). */
const TARGETS_MM = [-0.4, 0, 0.4, 0.8, 1.2, 1.6, 2.0, 2.3];
/** Repeated readings for the noise check. */
const NOISE_READS = 8;
/** A drive step that moves the needle less than this fraction of what the spring balance predicts: the end stop. */
const STOP_FRACTION = 0.3;

export interface SensorResult {
  points: HeldPoint[];
  fitPoints: HallPoint[];
  fit: HallFit;
  noiseFs: number;
  restMm: number;
  /** gauge mm per unit duty (static, from the holds) */
  mmPerDuty: number;
  extendedStop: { mm: number; hallFs: number; duty: number } | null;
  stopNote: string;
}

export async function sensorStep(ctx: CalibrationContext, o: { senseOffsetFs: number; limitMm: number; calInForce: { offset: number; mmPerUnit: number } | null }): Promise<SensorResult> {
  const fail = (why: string): never => {
    throw new CalibrationError('sensor', why);
  };
  await ctx.gauge.fixture('air', AIR_INSTRUCTIONS);
  const points: HeldPoint[] = [];
  const hold = async (duty: number, expectMm?: number): Promise<HeldPoint> => {
    const p = await holdAndRead(ctx, duty, `drive ${duty.toFixed(3)}`, o.senseOffsetFs, expectMm);
    points.push(p);
    ctx.progress(points.length / (TARGETS_MM.length + 5), `${p.label}: ${p.gaugeMm.toFixed(3)} mm`);
    return p;
  };
  const rest = await hold(0);
  const first = await hold(0.1);
  const slope0 = (first.gaugeMm - rest.gaugeMm) / 0.1;
  if (!(slope0 > 1)) fail(`the needle barely moves with drive (${(first.gaugeMm - rest.gaugeMm).toFixed(3)} mm at drive 0.1): coil open, needle jammed, or the gauge is not on the needle`);
  // on a calibrated pen every reading is checked against the hard limit with the calibration in force
  const maxMm = o.calInForce ? o.limitMm - 0.15 : TARGETS_MM[TARGETS_MM.length - 1];
  let noiseFs = NaN;
  const dutyFor = (mm: number): number => {
    const f = fitLine(points.map((p) => p.gaugeMm), points.map((p) => p.duty));
    return f.slope * mm + f.intercept;
  };
  let stopNote = '';
  for (const t of TARGETS_MM) {
    if (t <= first.gaugeMm + 0.1) continue;
    if (t > maxMm) {
      stopNote = `positions beyond ${maxMm.toFixed(2)} mm not held: a calibration is in force and the pen checks every reading against the ${o.limitMm} mm hard limit`;
      break;
    }
    const duty = dutyFor(t);
    if (duty > 0.98) break;
    if (o.calInForce) {
      // what the calibration in force will call this position: stay clear of its limit check
      const hf = fitLine(points.map((p) => p.gaugeMm), points.map((p) => p.raw));
      const old = hallMm(o.calInForce, hf.slope * t + hf.intercept);
      if (old > o.limitMm - 0.05) {
        stopNote = `stopped at ${t} mm: the calibration in force reads it as ${old.toFixed(2)} mm, beyond the hard limit`;
        break;
      }
    }
    const p = await hold(duty, t);
    if (p.gaugeMm < points[points.length - 2].gaugeMm - HALL_LIMITS.monotonicStepMm) {
      fail(`the needle went back with more drive (${points[points.length - 2].gaugeMm.toFixed(3)} mm at drive ${points[points.length - 2].duty.toFixed(3)}, ${p.gaugeMm.toFixed(3)} mm at ${p.duty.toFixed(3)}): needle sticking or the supply collapsing`);
    }
    if (t === 0.8) noiseFs = await noiseAt(ctx);
  }
  if (!Number.isFinite(noiseFs)) noiseFs = await noiseAt(ctx);
  // the extended end stop: more drive, (almost) no more travel
  let extendedStop: SensorResult['extendedStop'] = null;
  const slope = 1 / fitLine(points.map((p) => p.gaugeMm), points.map((p) => p.duty)).slope;
  if (!o.calInForce) {
    let last = points[points.length - 1];
    for (let duty = last.duty + 0.1; duty <= 1.0001 && !extendedStop; duty += 0.1) {
      const d = Math.min(1, duty);
      const p = await hold(d); // no expectation: at the stop the needle is meant to stop short of it
      if (p.gaugeMm - last.gaugeMm < STOP_FRACTION * slope * (d - last.duty)) extendedStop = { mm: p.gaugeMm, hallFs: p.raw / 65535, duty: d };
      last = p;
    }
    if (!extendedStop) stopNote = `no end stop found up to full drive (${last.gaugeMm.toFixed(3)} mm)`;
  } else if (!stopNote) stopNote = 'end stop not probed: a calibration is in force (the hard limit applies)';
  await ctx.run(ctx.client.stopRun());

  // positions on the stop are not on the sensor's line: leave them out of the fit
  const stopAt = extendedStop ? extendedStop.mm - 0.02 : Infinity;
  const fitPoints: HallPoint[] = points.filter((p) => p.gaugeMm < stopAt).map((p) => ({ label: p.label, raw: p.raw, gaugeMm: p.gaugeMm }));
  const why = checkHallPoints(points.map((p) => ({ label: p.label, raw: p.raw, gaugeMm: p.gaugeMm })));
  if (why) fail(why);
  if (fitPoints.length < 5) fail(`only ${fitPoints.length} positions clear of the end stop (need 5): the needle reaches the stop too early — check the cartridge and the stop`);
  const fit = fitHall(fitPoints);
  const whyFit = checkHallFit(fit, fitPoints, noiseFs);
  if (whyFit) fail(whyFit);
  ctx.log(`Hall: ${fit.mmPerUnit.toFixed(4)} mm/FS, offset ${fit.offset.toFixed(5)} FS; residuals ${fit.rmsUm.toFixed(1)} µm rms, ${fit.maxUm.toFixed(1)} µm max; noise ${(noiseFs * 1e4).toFixed(1)}e-4 FS`);
  return { points, fitPoints, fit, noiseFs, restMm: rest.gaugeMm, mmPerDuty: slope, extendedStop, stopNote };
}

/** Standard deviation of single Hall readings at the position held now, fraction of full scale. */
async function noiseAt(ctx: CalibrationContext): Promise<number> {
  const v: number[] = [];
  for (let i = 0; i < NOISE_READS; i++) {
    const s = await ctx.run(ctx.client.sensors());
    v.push(s.hall / 65535);
    ctx.samples.add(ctx.step, 'noise', 'hall', s.hall / 65535, 'FS', s.hall);
  }
  return stdDev(v);
}
