// What the held positions say about the drive: loop resistance R = D·V/I (coil + bridge,
// as the drive sees it), the battery's internal resistance from the supply sag, and the
// static spring balance x = x_rest + (kf/k)·I (mm per ampere). Only holds whose current
// the sense amplifier can read (below its clipping) and that stay clear of the end stop
// are used.
import { fitLine, fitProportional } from './least-squares';

export interface DrivePoint {
  duty: number;
  /** supply while holding, V */
  volts: number;
  /** coil current while holding, A (nominal sense scaling, zero-current offset removed) */
  amps: number;
  /** needle protrusion from the gauge, mm */
  gaugeMm: number;
  /** coil temperature while holding, °C */
  coilC: number;
}

export interface StaticDriveFit {
  /** coil + bridge resistance, Ω, at `coilC` */
  rOhm: number;
  /** mean coil temperature of the holds R comes from, °C */
  coilC: number;
  /** battery internal resistance (supply sag per supply ampere), Ω */
  rBatteryOhm: number;
  /** open-circuit supply (drive off), V */
  v0: number;
  /** static needle travel per ampere, mm/A (= kf/k) */
  mmPerAmp: number;
  /** rest protrusion extrapolated to zero current, mm */
  restMm: number;
  /** relative rms residual of V·D/I, and of the travel fit, µm */
  rRelRms: number;
  travelRmsUm: number;
  points: number;
}

/** Above this the current sense is near its clipping (0.5 + 0.606·I ≤ 0.99 FS), A. */
export const SENSE_MAX_A = 0.75;

export function fitStaticDrive(points: readonly DrivePoint[], v0: number): StaticDriveFit {
  const use = points.filter((p) => p.duty > 0 && p.amps > 0.05 && p.amps < SENSE_MAX_A);
  if (use.length < 3) throw new Error(`only ${use.length} held positions with a readable coil current (need 3): the current sense reads nothing — coil open or sense amplifier fault`);
  // D·V = R·I, through the origin (the sense's zero offset was averaged at rest)
  const r = fitProportional(use.map((p) => p.amps), use.map((p) => p.duty * p.volts));
  const rel = Math.sqrt(use.reduce((s, p) => s + ((p.duty * p.volts) / p.amps / r.slope - 1) ** 2, 0) / use.length);
  // V = v0 − R_bat·(D·I): the bridge draws D·I from the battery
  const sag = fitProportional(use.map((p) => p.duty * p.amps), use.map((p) => v0 - p.volts));
  const travel = fitLine(use.map((p) => p.amps), use.map((p) => p.gaugeMm));
  return {
    rOhm: r.slope, coilC: use.reduce((a, p) => a + p.coilC, 0) / use.length, rBatteryOhm: Math.max(0, sag.slope), v0, mmPerAmp: travel.slope, restMm: travel.intercept,
    rRelRms: rel, travelRmsUm: travel.rms * 1000, points: use.length,
  };
}

/** Copper's temperature coefficient of resistance, 1/K (at 20 °C). */
export const COPPER_TEMPCO = 0.00393;
/** The bridge's share of the loop resistance (DRV8876 class, high + low side RDS(on), datasheet typical), Ω: not copper. */
export const BRIDGE_NOMINAL_OHM = 0.7;

/** Loop resistance at another coil temperature: the coil's copper share follows its tempco, the bridge's does not. */
export function loopOhmAt(d: Pick<StaticDriveFit, 'rOhm' | 'coilC'>, coilC: number): number {
  const copper = Math.max(0, d.rOhm - BRIDGE_NOMINAL_OHM);
  return d.rOhm + copper * ((1 + COPPER_TEMPCO * (coilC - 20)) / (1 + COPPER_TEMPCO * (d.coilC - 20)) - 1);
}
