// The identified voice-coil actuator: what the calibration record stores (r, kf, k, m, c)
// plus what identification found on the way (inductance, friction, battery resistance,
// rest position), enough to simulate strokes for the stroke model's duty choice and the
// gains.

export interface ActuatorModel {
  /** coil + bridge resistance, Ω */
  rOhm: number;
  /** coil inductance, H */
  lH: number;
  /** force constant, N/A */
  kf: number;
  /** spring rate (return spring + cartridge membrane), N/mm */
  kNPerMm: number;
  /** moving mass, g */
  mG: number;
  /** mechanical viscous damping, N·s/m (the electrical damping kf²/R comes on top) */
  cNsPerM: number;
  /** Coulomb friction, N */
  frictionN: number;
  /** needle rest protrusion with the drive off, mm */
  restMm: number;
  /** battery internal resistance, Ω */
  rBatteryOhm: number;
}

/** The record's actuator field (units of firmware/src/control/calibration.ts). */
export function actuatorRecord(a: ActuatorModel): { r: number; kf: number; k: number; m: number; c: number } {
  const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
  return { r: r4(a.rOhm), kf: r4(a.kf), k: r4(a.kNPerMm), m: r4(a.mG), c: r4(a.cNsPerM) };
}

/** Undamped natural frequency, Hz, and damping ratio with the electrical damping of the braking bridge. */
export function resonance(a: ActuatorModel): { fnHz: number; zeta: number } {
  const k = a.kNPerMm * 1000;
  const m = a.mG / 1000;
  const c = a.cNsPerM + (a.kf * a.kf) / a.rOhm;
  return { fnHz: Math.sqrt(k / m) / (2 * Math.PI), zeta: c / (2 * Math.sqrt(k * m)) };
}
