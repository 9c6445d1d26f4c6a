// The Hall sensor's calibration: needle protrusion (what the dial indicator reads) against
// the raw reading, mm = (raw/65535 − offset)·mmPerUnit, fitted by least squares over the
// held positions, and the checks that decide whether the sensor can be trusted: reading
// band, monotonicity, plausible gain, noise and fit residuals, each with a reason a
// technician can act on.
import { fitLine } from './least-squares';

export interface HallPoint {
  label: string;
  /** raw Hall reading, 0..65535 (the pen's mean of four ADC reads) */
  raw: number;
  /** the dial indicator, mm of needle protrusion */
  gaugeMm: number;
}

export interface HallFit {
  offset: number;
  mmPerUnit: number;
  /** gauge − fit per point, µm */
  residualsUm: number[];
  rmsUm: number;
  maxUm: number;
}

/** Acceptance of the sensor step (docs/calibration.md). */
export const HALL_LIMITS = {
  /** usable band of the reading, fraction of full scale (the pen's SENSOR_RANGE fault at 0.03/0.97) */
  bandLow: 0.05,
  bandHigh: 0.95,
  /** plausible gain, mm per full scale (nominal 4.5/0.8 = 5.6 mm/FS, gain ±10 %) */
  mmPerUnitMin: 4,
  mmPerUnitMax: 8,
  /** standard deviation of repeated readings at one position, fraction of full scale (nominal 0.0008) */
  noiseFs: 0.002,
  /** fit residuals, µm */
  rmsUm: 6,
  maxUm: 15,
  /** a step of the needle smaller than this is not used for the monotonicity check, mm */
  monotonicStepMm: 0.02,
};

export function fitHall(points: readonly HallPoint[]): HallFit {
  const f = fitLine(points.map((p) => p.raw / 65535), points.map((p) => p.gaugeMm));
  const residualsUm = f.residuals.map((r) => r * 1000);
  return { offset: -f.intercept / f.slope, mmPerUnit: f.slope, residualsUm, rmsUm: f.rms * 1000, maxUm: f.maxAbs * 1000 };
}

/** Needle protrusion of a raw reading with a fit, mm. */
export function hallMm(fit: { offset: number; mmPerUnit: number }, raw: number): number {
  return (raw / 65535 - fit.offset) * fit.mmPerUnit;
}

/** Why the sensor fails before fitting (band, monotonicity), or '' when it passes. */
export function checkHallPoints(points: readonly HallPoint[]): string {
  for (const p of points) {
    const fs = p.raw / 65535;
    if (fs < HALL_LIMITS.bandLow || fs > HALL_LIMITS.bandHigh) {
      return `Hall reads ${fs.toFixed(3)} of full scale at ${p.gaugeMm.toFixed(3)} mm (${p.label}), outside ${HALL_LIMITS.bandLow}–${HALL_LIMITS.bandHigh}: sensor offset or magnet position out of tolerance (or the sensor is disconnected)`;
    }
  }
  const byMm = [...points].sort((a, b) => a.gaugeMm - b.gaugeMm);
  for (let i = 1; i < byMm.length; i++) {
    const a = byMm[i - 1];
    const b = byMm[i];
    if (b.gaugeMm - a.gaugeMm < HALL_LIMITS.monotonicStepMm) continue;
    if (!(b.raw > a.raw)) {
      return `Hall reading does not rise with the needle: ${a.raw} at ${a.gaugeMm.toFixed(3)} mm, ${b.raw} at ${b.gaugeMm.toFixed(3)} mm: sensor not monotonic (magnet loose or cracked, sensor saturating) or the gauge lost the needle`;
    }
  }
  return '';
}

/** Why the fit or the noise fails, or ''. `noiseFs`: standard deviation of repeated readings. */
export function checkHallFit(fit: HallFit, points: readonly HallPoint[], noiseFs: number): string {
  if (!(fit.mmPerUnit >= HALL_LIMITS.mmPerUnitMin && fit.mmPerUnit <= HALL_LIMITS.mmPerUnitMax)) {
    return `Hall gain ${fit.mmPerUnit.toFixed(2)} mm per full scale is outside ${HALL_LIMITS.mmPerUnitMin}–${HALL_LIMITS.mmPerUnitMax}: wrong sensor or magnet, or the gauge is not on the needle`;
  }
  if (noiseFs > HALL_LIMITS.noiseFs) {
    return `Hall noise ${noiseFs.toFixed(4)} of full scale rms (limit ${HALL_LIMITS.noiseFs}): check the sensor cable, its shield and the supply`;
  }
  let worst = 0;
  for (let i = 1; i < fit.residualsUm.length; i++) if (Math.abs(fit.residualsUm[i]) > Math.abs(fit.residualsUm[worst])) worst = i;
  if (fit.maxUm > HALL_LIMITS.maxUm || fit.rmsUm > HALL_LIMITS.rmsUm) {
    const p = points[worst];
    return `Hall fit residual ${fit.residualsUm[worst].toFixed(1)} µm at ${p.gaugeMm.toFixed(3)} mm (${p.label}; limits ${HALL_LIMITS.maxUm} µm max, ${HALL_LIMITS.rmsUm} µm rms): the dial indicator slipped or misread, or the sensor is non-linear — re-seat the gauge and retake`;
  }
  return '';
}
