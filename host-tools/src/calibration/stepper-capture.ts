// One stroke of a stepper pen captured at a depth-stage position, read by the pen and by
// the gauge. The capture primitive (firmware/src/app/service-primitives.ts) moves the stage
// from home to `level` × STAGE_HOLD_STEPS, ramps the cam up to the stroke rate, lets 20
// strokes pass once both have arrived, records one stroke of Hall samples, then ramps the
// cam down and runs the stage home. The gauge reads the same strokes: a depth rig's
// per-stroke bottoms over the settled strokes before the reply, or a dial's max-hold
// pointer over the whole capture (the stage only climbs to its level and comes back, so
// the deepest stroke is the one at the level). While the capture runs, the cam's index
// period is polled (`sensors.indexUs`: the mean revolution period since the last read).
import { STAGE_HOLD_STEPS } from '@stipple/firmware/control/stage-depth';
import { ntcCelsiusFromAdc } from '@stipple/firmware/hal/analog-scaling';
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';
import { stepperAtRest } from './stepper-at-rest';
import { strokeBottom } from './stepper-stroke-bottom';
import type { StrokeBottom } from './stepper-stroke-bottom';

/** Strokes the capture primitive lets pass once the stage and the cam have arrived (firmware CAPTURE_SETTLE_STROKES). */
const CAPTURE_SETTLE_STROKES = 20;
/** How often the index period is read while a capture runs, ms. */
const INDEX_POLL_MS = 30;
/** Stage time per step budgeted for the reply timeout (the firmware pulses at ~2.6 kHz: 0.38 ms), ms. */
const STAGE_MS_PER_STEP = 0.5;
/** The firmware's homing runs this far past home at most, steps (firmware/src/hal/espruino-io.ts). */
const HOME_MARGIN_STEPS = 320;

export const STAGE_NOT_HOME = 'the depth stage did not get back home after a stop (its home switch stayed open): check the stage\'s lead screw and home switch';

export interface StageCapture {
  label: string;
  /** the capture's level (fraction of the stage's hold span) and the stage position it means, steps from home */
  level: number;
  steps: number;
  rate: number;
  fs: number;
  samples: number[];
  bottom: StrokeBottom;
  gaugeMm: number;
  gaugeKind: 'mean' | 'max';
  /** gauge strokes averaged (0: a max-hold pointer) over its window, ms */
  gaugeStrokes: number;
  gaugeWindowMs: number;
  /** session-clock time from the request to the reply, ms */
  durationMs: number;
  /** revolution periods read in the settled strokes before the reply, µs */
  indexUs: number[];
  /** motor temperature (NTC) after the capture, °C */
  motorC: number;
}

/** The stage position a level means (the firmware rounds level × STAGE_HOLD_STEPS). */
export function levelSteps(level: number): number {
  return Math.round(level * STAGE_HOLD_STEPS);
}

export async function captureAtLevel(
  ctx: CalibrationContext,
  o: { level: number; rate: number; n: number; label: string; prevSteps: number },
): Promise<StageCapture> {
  const { client, clock, gauge } = ctx;
  const steps = levelSteps(o.level);
  if (!(await stepperAtRest(ctx))) throw new CalibrationError(ctx.step, STAGE_NOT_HOME);
  await gauge.strokesBegin(o.label);
  const t0 = clock.now();
  const settleMs = (1000 * CAPTURE_SETTLE_STROKES) / o.rate;
  const timeoutMs = 2000 + settleMs + (o.prevSteps + HOME_MARGIN_STEPS + steps) * STAGE_MS_PER_STEP;
  let tReply = 0;
  const p = client.request('capture', { rate: o.rate, duty: o.level, n: o.n }, { timeoutMs });
  p.then(
    () => (tReply = clock.now()),
    () => (tReply = clock.now()),
  );
  const polls: { tMs: number; us: number }[] = [];
  while (!tReply) {
    await ctx.sleep(INDEX_POLL_MS);
    if (tReply) break;
    const s = await ctx.run(client.sensors());
    polls.push({ tMs: clock.now(), us: s.indexUs });
  }
  const cap = await ctx.run(p);
  // reads that cover only settled strokes: their previous read came after the settling began
  const settledFrom = tReply - settleMs + 5;
  const indexUs = polls.filter((x, i) => i > 0 && polls[i - 1].tMs >= settledFrom && x.tMs <= tReply && x.us > 0).map((x) => x.us);
  // the rig's settled strokes: the last ones before the reply, clear of the stage's arrival
  const period = 1000 / o.rate;
  const window = { fromMs: tReply - 0.75 * settleMs, toMs: tReply - period };
  const reading = await gauge.strokesEnd(o.label, window);
  if (!Number.isFinite(reading.mm)) {
    throw new CalibrationError(ctx.step, `the gauge gave no reading for ${o.label}: it needs a depth rig with per-stroke output, or a dial with a max pointer`);
  }
  const s = await ctx.run(client.sensors());
  const c: StageCapture = {
    label: o.label, level: o.level, steps, rate: o.rate, fs: cap.fs, samples: cap.samples, bottom: strokeBottom(cap.samples),
    gaugeMm: reading.mm, gaugeKind: reading.kind, gaugeStrokes: reading.strokes, gaugeWindowMs: window.toMs - window.fromMs, durationMs: tReply - t0, indexUs,
    motorC: ntcCelsiusFromAdc(s.ntc / 65535),
  };
  ctx.samples.series(ctx.step, o.label, 'hall', cap.fs, cap.samples, cap.samples.map((r) => r / 65535), 'FS');
  ctx.samples.add(ctx.step, o.label, 'stroke bottom (pen)', c.bottom.raw / 65535, 'FS', Math.round(c.bottom.raw));
  ctx.samples.add(ctx.step, o.label, `gauge ${reading.kind}`, reading.mm, 'mm');
  ctx.samples.add(ctx.step, o.label, 'stage', steps, 'steps');
  for (const us of indexUs) ctx.samples.add(ctx.step, o.label, 'cam revolution period', us / 1e6, 's', null);
  ctx.samples.add(ctx.step, o.label, 'motor temperature', c.motorC, 'degC', s.ntc);
  return c;
}
