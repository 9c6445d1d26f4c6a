// What the voice coil's temperature does to the loop, and how the firmware takes it out
// (docs/control.md "Coil temperature"). The coil thermistor reads the coil former, which
// carries the needle bar's magnet too:
//   - the copper's resistance rises 0.393 %/K, so the same duty drives less current, hence
//     less force: the drive is scaled by R(T)/R(Tcal) (the bridge's share does not drift);
//   - the NdFeB magnet's field falls 0.12 %/K, so the ratiometric Hall sensor's span about
//     its mid-scale zero-field output shrinks: the Hall reading is scaled back about 0.5 FS.
// The calibration is taken at room temperature; CAL_C stands for it. Run once per
// thermistor reading (every few blocks), never per stroke.
import { HallCalibration } from './calibration';

/** Copper's temperature coefficient of resistance, 1/K. */
export const COPPER_TEMPCO = 0.00393;
/** The bridge's share of the calibrated loop resistance (DRV8876 class RDS(on), high + low side), Ω: not copper. */
export const BRIDGE_OHM = 0.7;
/** NdFeB remanence temperature coefficient: the Hall span about mid-scale, 1/K. */
export const HALL_TEMPCO = -0.0012;
/** Coil temperature the calibration was taken at (room temperature), °C. */
export const CAL_C = 25;
/** The compensation follows the thermistor only within this band, °C (beyond 90 °C the pen latches OVER_TEMP). */
export const COMP_MIN_C = 10;
export const COMP_MAX_C = 90;

function clampC(tC: number): number {
  return tC < COMP_MIN_C ? COMP_MIN_C : tC > COMP_MAX_C ? COMP_MAX_C : tC === tC ? tC : CAL_C;
}

/**
 * Loop resistance at `tC` over the calibrated one: the drive that gives the calibrated current.
 * `rOhm` is the calibrated loop resistance (0 when unknown: all copper).
 */
export function resistanceFactor(tC: number, rOhm: number): number {
  const copper = rOhm > BRIDGE_OHM ? (rOhm - BRIDGE_OHM) / rOhm : 1;
  return 1 + copper * COPPER_TEMPCO * (clampC(tC) - CAL_C);
}

/**
 * The Hall calibration at `tC` (written into `out`): the span about 0.5 FS scaled by
 * s = 1 + HALL_TEMPCO·(T − CAL_C), so mm = (raw − offset')·mmPerUnit' still holds.
 */
export function hallAt(tC: number, cal: HallCalibration, out: HallCalibration): HallCalibration {
  const s = 1 + HALL_TEMPCO * (clampC(tC) - CAL_C);
  out.offset = 0.5 - s * (0.5 - cal.offset);
  out.mmPerUnit = cal.mmPerUnit / s;
  return out;
}
