// Steps 2 and 3 for a stepper pen, in air: the Hall sensor and the depth stage, from strokes
// captured at three stage positions (docs/calibration.md, "Stepper"). A stepper cannot hold
// the needle at a known place (a hold moves the stage but leaves the cam wherever it
// stopped), so every point is a stroke: the pen captures one stroke of Hall samples and the
// gauge reads the same strokes' bottom (a rig's per-stroke output, or a dial's max pointer).
//   - Hall: the gauge's bottom against the captured stroke's bottom (raw), least squares;
//   - stage: the gauge's bottom against the stage position: steps per mm and the depth at home;
//   - cam: steps per revolution from the index period, lobes from the captured stroke.
// The bottoms aim at 0.3 mm, midway and 1.8 mm (0.2 mm under the hard limit at most): the
// first from the design (or the calibration in force), the others from the first's bottom.
// Each capture starts from home: the stage's home is first settled by a short move out
// (home is where the homing run, in chunks of 16 steps, first finds its switch closed:
// after a boot the stage may sit lower), and every position is a whole number of chunks, so
// each capture starts from the same home and the runs afterwards do too.
import type { Calibration } from '@stipple/protocol';
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';
import { checkHallFit, checkHallPoints, fitHall } from './hall-fit';
import type { HallFit, HallPoint } from './hall-fit';
import { captureAtLevel, levelSteps } from './stepper-capture';
import type { StageCapture } from './stepper-capture';
import { CAM_DESIGN, checkCam } from './stepper-cam-check';
import type { CamCheck } from './stepper-cam-check';
import { checkStageFit, fitStage, STAGE_LIMITS } from './stepper-stage-fit';
import type { StageFit } from './stepper-stage-fit';
import { STAGE_HOLD_STEPS } from '@stipple/firmware/control/stage-depth';

export const STEPPER_AIR_INSTRUCTIONS =
  'Mount the pen in the gauge stand with the cartridge tip free (nothing touching the needle or the cartridge) and the indicator\'s probe on the needle tip, zeroed at the cartridge tip face; the pen strokes at three depth-stage positions and the indicator reads each one\'s bottom of stroke (a dial: by its max pointer).';

/** Stroke rate of the captures (20 settling strokes take 0.13 s) and samples per stroke. */
export const STEPPER_CAPTURE_RATE = 150;
const CAPTURE_N = 96;
/** Bottoms aimed at, mm (the working range is 0.2–2.0 mm), and the margin under the hard limit. */
const LOW_MM = 0.3;
const HIGH_MM = 1.8;
const LIMIT_MARGIN_MM = 0.2;
/** Bottom of stroke at home by the design (docs/hardware.md), mm. */
const DESIGN_DEPTH_AT_HOME = -0.4;
/** The firmware's stage chunk (firmware/src/hal/espruino-io.ts STAGE_CHUNK_STEPS) and the move that settles home. */
const CHUNK = 16;
const SETTLE_HOME_STEPS = 4 * CHUNK;

export interface StepperIdentification {
  rate: number;
  captures: StageCapture[];
  hall: { fitPoints: HallPoint[]; fit: HallFit; noiseFs: number; relSe: number };
  stage: StageFit & { points: { label: string; steps: number; gaugeMm: number }[] };
  cam: CamCheck;
  /** motor temperature at the first and the last capture, °C */
  motorC: [number, number];
}

export async function stepperStageStep(
  ctx: CalibrationContext,
  o: { limitMm: number; calInForce: Calibration | null },
): Promise<StepperIdentification> {
  const fail = (why: string): never => {
    throw new CalibrationError(ctx.step, why);
  };
  await ctx.gauge.fixture('air', STEPPER_AIR_INSTRUCTIONS);
  const old = o.calInForce?.stage;
  const used = old ? { stepsPerRev: old.stepsPerRev, lobes: old.lobes } : CAM_DESIGN;
  const predict = old ?? { stepsPerMm: STAGE_LIMITS.stepsPerMmNominal, depthAtHome: DESIGN_DEPTH_AT_HOME };
  const high = Math.min(HIGH_MM, o.limitMm - LIMIT_MARGIN_MM);
  const targets = [LOW_MM, (LOW_MM + high) / 2, high];
  // whole chunks from home, within the stage's hold span
  const chunked = (steps: number): number => Math.max(CHUNK, Math.min(STAGE_HOLD_STEPS, Math.round(steps / CHUNK) * CHUNK));

  ctx.progress(0.02, 'stage home');
  await ctx.run(ctx.client.sweep([SETTLE_HOME_STEPS / STAGE_HOLD_STEPS], 10));
  const captures: StageCapture[] = [];
  let prevSteps = SETTLE_HOME_STEPS;
  for (const [i, target] of targets.entries()) {
    // the first from the model in force (or the design), the others from the first's bottom
    const first = captures[0];
    const steps = chunked(first ? first.steps + (target - first.gaugeMm) * predict.stepsPerMm : (target - predict.depthAtHome) * predict.stepsPerMm);
    const level = steps / STAGE_HOLD_STEPS;
    const c = await captureAtLevel(ctx, { level, rate: STEPPER_CAPTURE_RATE, n: CAPTURE_N, label: `stage ${steps} steps (aiming at ${target.toFixed(2)} mm)`, prevSteps });
    prevSteps = levelSteps(level);
    captures.push(c);
    ctx.progress((i + 1) / targets.length, `${c.label}: gauge ${c.gaugeMm.toFixed(3)} mm, Hall ${(c.bottom.raw / 65535).toFixed(4)} FS`);
    if (c.gaugeMm > o.limitMm - LIMIT_MARGIN_MM / 2) {
      fail(`the stroke reached ${c.gaugeMm.toFixed(3)} mm at ${steps} stage steps, beyond what was aimed at (${target.toFixed(2)} mm, hard limit ${o.limitMm} mm): the stage or the cartridge is not where its design puts it — check the cartridge seating`);
    }
  }

  // Hall: the gauge's bottom against the captured bottom
  const fitPoints: HallPoint[] = captures.map((c) => ({ label: c.label, raw: Math.round(c.bottom.raw), gaugeMm: c.gaugeMm }));
  const why = checkHallPoints(fitPoints);
  if (why) fail(why);
  const ssr = captures.reduce((a, c) => a + c.bottom.ssr, 0);
  const dof = captures.reduce((a, c) => a + c.bottom.dof, 0);
  const noiseFs = Math.sqrt(ssr / dof) / 65535;
  const fit = fitHall(fitPoints);
  const whyFit = checkHallFit(fit, fitPoints, noiseFs);
  if (whyFit) fail(whyFit);
  const hallRelSe = lineRelSe(fitPoints.map((p) => p.raw), fitPoints.map((p) => p.gaugeMm));
  ctx.log(`Hall: ${fit.mmPerUnit.toFixed(4)} mm/FS, offset ${fit.offset.toFixed(5)} FS; residuals ${fit.rmsUm.toFixed(1)} µm rms, ${fit.maxUm.toFixed(1)} µm max; noise ${(noiseFs * 1e4).toFixed(1)}e-4 FS (strokes at ${captures.map((c) => c.gaugeMm.toFixed(2)).join(', ')} mm)`);

  // stage: the gauge's bottom against the stage position
  ctx.step = 'actuator';
  ctx.progress(0.5, 'stage fit');
  const points = captures.map((c) => ({ label: c.label, steps: c.steps, gaugeMm: c.gaugeMm }));
  const stage = fitStage(points);
  const whyStage = checkStageFit(stage, points);
  if (whyStage) fail(whyStage);

  // cam: steps per revolution from the index, lobes from the deepest stroke (all of it in the sensor's range)
  let cam: CamCheck | undefined;
  const deepest = captures[captures.length - 1];
  const gaugeCount = deepest.gaugeKind === 'mean' ? { strokes: deepest.gaugeStrokes, windowMs: deepest.gaugeWindowMs } : null;
  const whyCam = checkCam({ rate: STEPPER_CAPTURE_RATE, indexUs: captures.flatMap((c) => c.indexUs), samples: deepest.samples, noiseFs, used, gaugeCount }, (c) => (cam = c));
  if (whyCam) fail(whyCam);
  const camOk = cam!;
  const differs = camOk.stepsPerRev !== CAM_DESIGN.stepsPerRev || camOk.lobes !== CAM_DESIGN.lobes;
  ctx.progress(1, `${stage.stepsPerMm.toFixed(1)} steps/mm, ${camOk.stepsPerRev} steps/rev, ${camOk.lobes} lobes`);
  ctx.log(`stage: ${stage.stepsPerMm.toFixed(1)} steps/mm, stroke bottom at home ${stage.depthAtHome.toFixed(3)} mm (fit ${stage.rmsUm.toFixed(1)} µm rms); cam: ${camOk.stepsPerRev} steps/rev (index ${(camOk.indexUs / 1000).toFixed(3)} ms at ${camOk.stepHz.toFixed(0)} Hz: ${camOk.stepsPerRevMeasured.toFixed(2)}), ${camOk.lobes} lobes${differs ? ` — NOT the design's ${CAM_DESIGN.stepsPerRev}/${CAM_DESIGN.lobes}: check the motor's microstepping and the cam` : ''}; cam phase ${camOk.phaseNote.split(':')[0]}`);
  return {
    rate: STEPPER_CAPTURE_RATE, captures, hall: { fitPoints, fit, noiseFs, relSe: hallRelSe },
    stage: { ...stage, points }, cam: camOk, motorC: [captures[0].motorC, captures[captures.length - 1].motorC],
  };
}

/** Standard error of a line's slope over the slope (0 with two points). */
function lineRelSe(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 3) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const b = sxy / sxx;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (ys[i] - my - b * (xs[i] - mx)) ** 2;
  return Math.sqrt(ss / (n - 2) / sxx) / Math.abs(b);
}
