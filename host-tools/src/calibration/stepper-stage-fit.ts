// The depth stage (stepper): where the stroke ends against where the stage is. The cam
// drives the needle positively, so the bottom of stroke is the stage position plus a
// constant (cam throw − cartridge offset): bottom = depthAtHome + steps / stepsPerMm,
// fitted by least squares over the gauge's bottoms at several stage positions, with the
// checks that say whether the stage can be trusted.
import { fitLine } from './least-squares';

export interface StagePoint {
  label: string;
  /** stage position, steps from home */
  steps: number;
  /** the gauge's bottom of stroke, mm */
  gaugeMm: number;
}

export interface StageFit {
  stepsPerMm: number;
  /** bottom of stroke with the stage at home, mm */
  depthAtHome: number;
  /** gauge − fit per point, µm */
  residualsUm: number[];
  rmsUm: number;
  maxUm: number;
  /** standard error of stepsPerMm over its value (0 with two points) */
  relSe: number;
}

/** Acceptance of the stage fit (docs/calibration.md). */
export const STAGE_LIMITS = {
  /** the design: 0.5 mm lead screw, 200 steps/rev × 4 microsteps (docs/hardware.md) */
  stepsPerMmNominal: 1600,
  stepsPerMmTol: 0.1,
  /** bottom of stroke at home: retracted end −2.9 mm + 2.5 mm throw (docs/hardware.md), ± cam, cartridge and home switch tolerances */
  depthAtHomeMm: [-1.0, 0.2] as [number, number],
  rmsUm: 6,
  maxUm: 15,
};

export function fitStage(points: readonly StagePoint[]): StageFit {
  const f = fitLine(points.map((p) => p.steps), points.map((p) => p.gaugeMm));
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.steps, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.steps - mx) ** 2, 0);
  const s2 = n > 2 ? f.residuals.reduce((a, r) => a + r * r, 0) / (n - 2) : 0;
  return {
    stepsPerMm: 1 / f.slope, depthAtHome: f.intercept,
    residualsUm: f.residuals.map((r) => r * 1000), rmsUm: f.rms * 1000, maxUm: f.maxAbs * 1000,
    relSe: Math.sqrt(s2 / sxx) / Math.abs(f.slope),
  };
}

/** Why the stage fails, or '' when it passes. */
export function checkStageFit(fit: StageFit, points: readonly StagePoint[]): string {
  const byStep = [...points].sort((a, b) => a.steps - b.steps);
  for (let i = 1; i < byStep.length; i++) {
    if (!(byStep[i].gaugeMm > byStep[i - 1].gaugeMm)) {
      return `the stroke did not end deeper with the stage further out (${byStep[i - 1].gaugeMm.toFixed(3)} mm at ${byStep[i - 1].steps} steps, ${byStep[i].gaugeMm.toFixed(3)} mm at ${byStep[i].steps}): the stage loses steps or does not move (driver, lead screw), or the gauge lost the needle`;
    }
  }
  const nom = STAGE_LIMITS.stepsPerMmNominal;
  if (Math.abs(fit.stepsPerMm / nom - 1) > STAGE_LIMITS.stepsPerMmTol) {
    return `the stage moves ${fit.stepsPerMm.toFixed(0)} steps per mm (design ${nom} ± ${STAGE_LIMITS.stepsPerMmTol * 100} %): ${fit.stepsPerMm > nom ? 'it loses steps (binding lead screw, weak driver current)' : 'wrong lead screw or microstepping setting'}`;
  }
  const [lo, hi] = STAGE_LIMITS.depthAtHomeMm;
  if (fit.depthAtHome < lo || fit.depthAtHome > hi) {
    return `with the stage at home the stroke ends at ${fit.depthAtHome.toFixed(3)} mm (expected ${lo}…${hi} mm): the cartridge is not seated fully, or the home switch has moved`;
  }
  if (fit.rmsUm > STAGE_LIMITS.rmsUm || fit.maxUm > STAGE_LIMITS.maxUm) {
    let w = 0;
    fit.residualsUm.forEach((r, i) => {
      if (Math.abs(r) > Math.abs(fit.residualsUm[w])) w = i;
    });
    return `stage fit residual ${fit.residualsUm[w].toFixed(1)} µm at ${points[w].steps} steps (${points[w].label}; limits ${STAGE_LIMITS.maxUm} µm max, ${STAGE_LIMITS.rmsUm} µm rms): the stage loses steps now and then, or the gauge slipped — retake`;
  }
  return '';
}
