// Step 3, actuator identification (voice coil), still in air. From the held positions:
// loop resistance, battery resistance, the static travel per ampere (kf/k). Then strokes
// at 50/s and two drives, each captured twice — Hall, then coil current, the same stroke
// phase — give kf from the back-EMF and m, c, k, friction from the strokes' dynamics. The
// static and dynamic spring rates must agree; every figure must be plausible.
import { coilAmpsFromAdc } from '@stipple/firmware/hal/analog-scaling';
import type { ActuatorModel } from './actuator-model';
import { fitBackEmf } from './back-emf-fit';
import type { BackEmfFit } from './back-emf-fit';
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';
import { fitDynamics } from './dynamics-fit';
import type { DynamicsFit } from './dynamics-fit';
import { hallMm } from './hall-fit';
import type { HeldPoint } from './held-position';
import { fitStaticDrive } from './static-drive-fit';
import type { StaticDriveFit } from './static-drive-fit';
import type { SensorResult } from './sensor-step';

/** Stroke rate of the identification capture: the resonance (~87 Hz) falls between its harmonics, the stroke is long. */
export const ID_RATE = 50;
export const ID_SAMPLES = 512;
/** Push fraction of the stroke clock the pen uses until a calibration names one (service-primitives DEFAULT_PUSH). */
export const UNCALIBRATED_PUSH = 0.45;
/** Static protrusions the identification duties would hold, mm: two stroke amplitudes (friction and damping separate by amplitude), clear of the retracted stop on the return. */
const ID_STATIC_MM = [0.2, 0.6];
/** Static and dynamic spring rates must agree within this. */
const K_AGREE = 0.08;

const PLAUSIBLE: [keyof ActuatorModel, number, number, string][] = [
  ['rOhm', 2, 10, 'Ω coil + bridge resistance'],
  ['kf', 1, 5, 'N/A force constant'],
  ['kNPerMm', 0.3, 3, 'N/mm spring rate'],
  ['mG', 1, 10, 'g moving mass'],
  ['cNsPerM', 0, 3, 'N·s/m damping'],
];

export interface ActuatorResult {
  model: ActuatorModel;
  drive: StaticDriveFit;
  backEmf: BackEmfFit;
  dynamics: DynamicsFit;
  /** spring rate from the holds, N/mm (kf / travel per ampere) */
  kStaticNPerMm: number;
  captures: { rate: number; duty: number; push: number; fs: number; xMm: number[]; amps: number[]; modelMm: number[] }[];
}

export async function actuatorStep(ctx: CalibrationContext, o: { sensor: SensorResult; senseOffsetFs: number; v0: number; push: number }): Promise<ActuatorResult> {
  const fail = (why: string): never => {
    throw new CalibrationError('actuator', why);
  };
  const pts: HeldPoint[] = o.sensor.points.filter((p) => !o.sensor.extendedStop || p.gaugeMm < o.sensor.extendedStop.mm - 0.02);
  let drive: StaticDriveFit;
  try {
    drive = fitStaticDrive(pts, o.v0);
  } catch (e) {
    return fail((e as Error).message);
  }
  ctx.progress(0.1, `R ${drive.rOhm.toFixed(3)} Ω`);
  const strokes: { duty: number; fs: number; xMm: number[]; amps: number[] }[] = [];
  for (const target of ID_STATIC_MM) {
    const duty = Math.min(0.9, (target - o.sensor.restMm) / o.sensor.mmPerDuty);
    // Hall first: the pen checks that capture against the hard limit; the current one then follows the same stroke
    const hall = await ctx.run(ctx.client.capture(ID_RATE, duty, ID_SAMPLES, 'hall'));
    ctx.progress(0.1 + (0.8 * (2 * strokes.length + 1)) / (2 * ID_STATIC_MM.length), `stroke at drive ${duty.toFixed(3)} (Hall)`);
    const cur = await ctx.run(ctx.client.capture(ID_RATE, duty, ID_SAMPLES, 'current'));
    ctx.progress(0.1 + (0.8 * (2 * strokes.length + 2)) / (2 * ID_STATIC_MM.length), `stroke at drive ${duty.toFixed(3)} (coil current)`);
    const xMm = hall.samples.map((r) => hallMm(o.sensor.fit, r));
    const amps = cur.samples.map((r) => coilAmpsFromAdc(r / 65535) - coilAmpsFromAdc(o.senseOffsetFs));
    const label = `stroke ${ID_RATE}/s drive ${duty.toFixed(3)}`;
    ctx.samples.series('actuator', label, 'needle', hall.fs, hall.samples, xMm, 'mm');
    ctx.samples.series('actuator', label, 'coil current', cur.fs, cur.samples, amps, 'A');
    if (Math.max(...amps) > 0.8) fail(`the identification stroke drew ${Math.max(...amps).toFixed(2)} A, beyond the current sense's range: coil resistance far too low (shorted turns?)`);
    strokes.push({ duty, fs: hall.fs, xMm, amps });
  }
  const backEmf = fitBackEmf({ strokes, rate: ID_RATE, push: o.push, v0: o.v0, rBatteryOhm: drive.rBatteryOhm, rOhm: drive.rOhm });
  const kStatic = backEmf.kf / drive.mmPerAmp;
  const dynamics = fitDynamics({ strokes, rate: ID_RATE, kf: backEmf.kf, kStartNPerMm: kStatic });
  const model: ActuatorModel = {
    rOhm: drive.rOhm, lH: backEmf.lH, kf: backEmf.kf, kNPerMm: dynamics.kNPerMm, mG: dynamics.mG, cNsPerM: dynamics.cNsPerM,
    frictionN: dynamics.frictionN, restMm: o.sensor.restMm, rBatteryOhm: drive.rBatteryOhm,
  };
  for (const [k, lo, hi, what] of PLAUSIBLE) {
    const v = model[k];
    if (!(v >= lo && v <= hi)) fail(`identified ${what} ${v.toFixed(3)} is outside ${lo}–${hi}: the actuator is damaged or mis-assembled (or the stroke capture is corrupt)`);
  }
  if (Math.abs(dynamics.kNPerMm / kStatic - 1) > K_AGREE) {
    fail(`spring rate from the held positions (${kStatic.toFixed(3)} N/mm) and from the stroke (${dynamics.kNPerMm.toFixed(3)} N/mm) disagree by more than ${K_AGREE * 100} %: friction, a rubbing needle or a loose cartridge`);
  }
  if (dynamics.rmsUm > 25) fail(`the stroke does not follow a mass–spring model (${dynamics.rmsUm.toFixed(0)} µm rms): the needle rubs or hits a stop — check the cartridge`);
  ctx.progress(1, 'model identified');
  ctx.log(`actuator: R ${model.rOhm.toFixed(3)} Ω, kf ${model.kf.toFixed(3)} N/A, k ${model.kNPerMm.toFixed(3)} N/mm, m ${model.mG.toFixed(3)} g, c ${model.cNsPerM.toFixed(3)} N·s/m, friction ${(model.frictionN * 1000).toFixed(1)} mN (fit ${dynamics.rmsUm.toFixed(1)} µm rms)`);
  return {
    model, drive, backEmf, dynamics, kStaticNPerMm: kStatic,
    captures: strokes.map((st, i) => ({ rate: ID_RATE, duty: st.duty, push: o.push, fs: st.fs, xMm: st.xMm, amps: st.amps, modelMm: dynamics.modelMm[i] })),
  };
}
