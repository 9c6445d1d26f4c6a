// Step 3, actuator identification (voice coil), still in air. From the held positions:
// loop resistance, battery resistance, the static travel per ampere (kf/k). Then strokes,
// each captured twice — Hall, then coil current, the same stroke phase — with the coil
// temperature read after each pair: first at 50/s at a small and a large drive, which
// give a first model and its resonance; then at the stroke rate nearest the resonance,
// where the damping alone sets the stroke's amplitude and phase, at a tiny, a small and
// the largest drive whose return stays clear of the retracted stop, each twice. kf comes from
// the back-EMF of all of them (R taken to each stroke's coil temperature), m, c, k and
// friction from their dynamics. The static and dynamic spring rates must agree; every
// figure must be plausible.
import { coilAmpsFromAdc, ntcCelsiusFromAdc } from '@stipple/firmware/hal/analog-scaling';
import { resonance } from './actuator-model';
import type { ActuatorModel } from './actuator-model';
import { fitBackEmf } from './back-emf-fit';
import type { BackEmfFit, BackEmfStroke } from './back-emf-fit';
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';
import { fitDynamics } from './dynamics-fit';
import type { DynamicsFit } from './dynamics-fit';
import { hallMm } from './hall-fit';
import type { HeldPoint } from './held-position';
import { fitStaticDrive, loopOhmAt } from './static-drive-fit';
import type { StaticDriveFit } from './static-drive-fit';
import type { SensorResult } from './sensor-step';
import { predictStrokeRange } from './stroke-simulation';

/** Stroke rate of the first identification captures: the resonance (~87 Hz) falls between its harmonics, the stroke is long. */
export const ID_RATE = 50;
export const ID_SAMPLES = 512;
/** Push fraction of the stroke clock the pen uses until a calibration names one (service-primitives DEFAULT_PUSH). */
export const UNCALIBRATED_PUSH = 0.45;
/** Static protrusions the first captures' duties would hold, mm: a small and a large stroke (friction and damping separate by amplitude), clear of the retracted stop on the return. */
const ID_STATIC_MM = [-0.3, 0.6];
/**
 * At the resonant rate, three strokes: a tiny one (static protrusion this far above rest,
 * mm: friction dominates it), a small one (static protrusion, mm), and the largest whose
 * return comes no further than this below rest (the retracted stop is ~0.4 mm below rest,
 * docs/hardware.md), mm. Friction and damping trade against each other in the fit: the
 * spread of amplitudes at the resonance is what tells them apart.
 */
const RESONANT_TINY_ABOVE_REST_MM = 0.15;
const RESONANT_SMALL_MM = -0.3;
const RESONANT_TROUGH_BELOW_REST_MM = 0.25;
/** ... and how deep the largest one's bottom may go, mm (and never within LIMIT_CLEARANCE_MM of the hard limit). */
const RESONANT_MAX_BOTTOM_MM = 1.2;
/** Each resonant stroke is captured this many times (the damping is noise-limited there: twice halves its worst error over 20 pens). */
const RESONANT_REPEATS = 2;
/** Every identification stroke's bottom stays this far under the hard limit, mm (a calibrated pen checks each capture against it); the 50/s strokes bottom ~0.3 mm beyond their static protrusion. */
const LIMIT_CLEARANCE_MM = 0.2;
const ID_STROKE_OVERSHOOT_MM = 0.3;
/** Coil temperature reads after each capture pair (NTC noise ~0.05 K). */
const TEMP_READS = 2;
/** Static and dynamic spring rates must agree within this. */
const K_AGREE = 0.08;

const PLAUSIBLE: [keyof ActuatorModel, number, number, string][] = [
  ['rOhm', 2, 10, 'Ω coil + bridge resistance'],
  ['kf', 1, 5, 'N/A force constant'],
  ['kNPerMm', 0.3, 3, 'N/mm spring rate'],
  ['mG', 1, 10, 'g moving mass'],
  ['cNsPerM', 0, 3, 'N·s/m damping'],
];

export interface ActuatorCapture {
  rate: number;
  duty: number;
  push: number;
  fs: number;
  /** coil temperature after the capture pair, °C, and the loop resistance there, Ω */
  coilC: number;
  rOhm: number;
  xMm: number[];
  amps: number[];
  modelMm: number[];
}

export interface ActuatorResult {
  model: ActuatorModel;
  drive: StaticDriveFit;
  backEmf: BackEmfFit;
  dynamics: DynamicsFit;
  /** spring rate from the holds, N/mm (kf / travel per ampere) */
  kStaticNPerMm: number;
  /** the stroke rate nearest the first model's resonance, where the second captures ran */
  resonantRate: number;
  captures: ActuatorCapture[];
}

type Stroke = BackEmfStroke & { fs: number; coilC: number; xMm: number[]; amps: number[] };

export async function actuatorStep(ctx: CalibrationContext, o: { sensor: SensorResult; senseOffsetFs: number; v0: number; push: number; limitMm: number }): Promise<ActuatorResult> {
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
  const strokes: Stroke[] = [];
  const PAIRS = ID_STATIC_MM.length + 3 * RESONANT_REPEATS;
  const captureAt = async (rate: number, duty: number): Promise<void> => {
    // Hall first: the pen checks that capture against the hard limit; the current one then follows the same stroke
    const hall = await ctx.run(ctx.client.capture(rate, duty, ID_SAMPLES, 'hall'));
    ctx.progress(0.1 + (0.8 * (2 * strokes.length + 1)) / (2 * PAIRS), `stroke ${rate}/s drive ${duty.toFixed(3)} (Hall)`);
    const cur = await ctx.run(ctx.client.capture(rate, duty, ID_SAMPLES, 'current'));
    let ntc = 0;
    for (let i = 0; i < TEMP_READS; i++) ntc += (await ctx.run(ctx.client.sensors())).ntc / 65535 / TEMP_READS;
    const coilC = ntcCelsiusFromAdc(ntc);
    ctx.progress(0.1 + (0.8 * (2 * strokes.length + 2)) / (2 * PAIRS), `stroke ${rate}/s drive ${duty.toFixed(3)} (coil current)`);
    const xMm = hall.samples.map((r) => hallMm(o.sensor.fit, r));
    const amps = cur.samples.map((r) => coilAmpsFromAdc(r / 65535) - coilAmpsFromAdc(o.senseOffsetFs));
    const label = `stroke ${rate}/s drive ${duty.toFixed(3)}`;
    ctx.samples.series('actuator', label, 'needle', hall.fs, hall.samples, xMm, 'mm');
    ctx.samples.series('actuator', label, 'coil current', cur.fs, cur.samples, amps, 'A');
    ctx.samples.add('actuator', label, 'coil temperature', coilC, 'degC', Math.round(ntc * 65535));
    if (Math.max(...amps) > 0.8) fail(`the identification stroke drew ${Math.max(...amps).toFixed(2)} A, beyond the current sense's range: coil resistance far too low (shorted turns?)`);
    strokes.push({ rate, duty, fs: hall.fs, xMm, amps, coilC, rOhm: loopOhmAt(drive, coilC) });
  };
  const identify = (): { backEmf: BackEmfFit; kStatic: number; dynamics: DynamicsFit; model: ActuatorModel } => {
    const backEmf = fitBackEmf({ strokes, push: o.push, v0: o.v0, rBatteryOhm: drive.rBatteryOhm });
    const kStatic = backEmf.kf / drive.mmPerAmp;
    const dynamics = fitDynamics({ strokes, kf: backEmf.kf, kStartNPerMm: kStatic });
    const model: ActuatorModel = {
      rOhm: drive.rOhm, lH: backEmf.lH, kf: backEmf.kf, kNPerMm: dynamics.kNPerMm, mG: dynamics.mG, cNsPerM: dynamics.cNsPerM,
      frictionN: dynamics.frictionN, restMm: o.sensor.restMm, rBatteryOhm: drive.rBatteryOhm,
    };
    return { backEmf, kStatic, dynamics, model };
  };
  const staticCap = o.limitMm - LIMIT_CLEARANCE_MM - ID_STROKE_OVERSHOOT_MM;
  for (const target of ID_STATIC_MM) await captureAt(ID_RATE, Math.min(0.9, (Math.min(target, staticCap) - o.sensor.restMm) / o.sensor.mmPerDuty));
  // the first model's resonance, and strokes there
  const first = identify().model;
  const fn = resonance(first).fnHz;
  const resonantRate = Math.round(Math.min(150, Math.max(ID_RATE + 1, Number.isFinite(fn) ? fn : ID_RATE + 1)));
  const resonantDuties = [
    RESONANT_TINY_ABOVE_REST_MM / o.sensor.mmPerDuty,
    Math.min(0.9, (Math.min(RESONANT_SMALL_MM, staticCap) - o.sensor.restMm) / o.sensor.mmPerDuty),
    largestClearDuty(first, resonantRate, o.push, o.v0, Math.min(RESONANT_MAX_BOTTOM_MM, o.limitMm - LIMIT_CLEARANCE_MM)),
  ];
  for (let rep = 0; rep < RESONANT_REPEATS; rep++) for (const duty of resonantDuties) await captureAt(resonantRate, duty);
  const { backEmf, kStatic, dynamics, model } = identify();
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
    model, drive, backEmf, dynamics, kStaticNPerMm: kStatic, resonantRate,
    captures: strokes.map((st, i) => ({ rate: st.rate, duty: st.duty, push: o.push, fs: st.fs, coilC: st.coilC, rOhm: st.rOhm, xMm: st.xMm, amps: st.amps, modelMm: dynamics.modelMm[i] })),
  };
}

/** The largest duty (≤ 0.9) whose stroke, as the first model predicts it, returns no further than RESONANT_TROUGH_BELOW_REST_MM below rest and bottoms above `maxBottomMm`. */
function largestClearDuty(a: ActuatorModel, rate: number, push: number, volts: number, maxBottomMm: number): number {
  const clear = (d: number): boolean => {
    const r = predictStrokeRange(a, rate, push, d, volts);
    return r.troughMm >= a.restMm - RESONANT_TROUGH_BELOW_REST_MM && r.bottomMm <= maxBottomMm;
  };
  let lo = 0;
  let hi = 0.9;
  if (clear(hi)) return hi;
  for (let i = 0; i < 12; i++) {
    const mid = (lo + hi) / 2;
    if (clear(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
