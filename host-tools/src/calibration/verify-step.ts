// Step 5, verification, on the reference skin phantom (sim: the `normal` skin model). The
// complete calibration goes onto the pen as a trial; the pen then runs 3 depths × 3 rates
// with its own closed loop, and at each point the gauge's bottom of stroke is compared
// with the setpoint and with what the pen itself measured over the same window. Every
// point must be within the acceptance limit; a failure names the point and the likely
// cause, and nothing is written.
import { FAULT_NAMES } from '@stipple/protocol';
import type { Calibration, TelemetryRecord } from '@stipple/protocol';
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';

export const PHANTOM_INSTRUCTIONS =
  'Press the cartridge tip onto the reference skin phantom (normal), perpendicular, with the phantom fixture\'s spring load; the depth rig reads the needle\'s bottom of stroke.';

export const VERIFY_DEPTHS_MM = [0.6, 1.0, 1.5];
export const VERIFY_RATES = [60, 100, 140];
/** Every point's gauge reading within this of the setpoint and of the pen's own reading, µm. */
export const ACCEPTANCE_UM = 20;
/** Run time before the measuring window (the loop settles in a few blocks), and the window, ms. */
const SETTLE_MS = 350;
const CAL_FAULTS = ['UNCALIBRATED', 'STORAGE_CORRUPT'];
const WINDOW_MS = 300;

export interface VerifyPoint {
  depthMm: number;
  rate: number;
  /** gauge: mean bottom of stroke over the window (or the run's max-hold) */
  gaugeMm: number;
  gaugeKind: 'mean' | 'max';
  strokes: number;
  /** the pen's own measured depth over the same window (mean, or max per stroke), mm */
  penMm: number;
  /** gauge − setpoint, µm (mean gauges only) */
  errorUm: number | null;
  /** pen − gauge, µm */
  penVsGaugeUm: number;
  pass: boolean;
  note: string;
}

export interface VerifyResult {
  points: VerifyPoint[];
  acceptanceUm: number;
  worstUm: number;
}

/**
 * Settling judged by the pen's own telemetry instead of a fixed time (the stepper: a run first
 * moves its stage at ~1.6 mm/s, then ramps the cam). The window starts once a record's strokes
 * all lie within 3 × `withinUm` of the setpoint and their mean within `withinUm`, or after
 * `maxMs` (a point that has not settled then fails).
 */
export interface VerifySettle {
  withinUm: number;
  maxMs: number;
  /** before each run (and its gauge reset): wait until the pen is at rest (the stepper's cam parked) */
  atRest?: () => Promise<void>;
  /**
   * the points ordered by depth, the rates at each (the stepper: its stage stays where a run
   * left it, so the next run moves it by the depths' difference only, none between rates)
   */
  byDepth?: boolean;
}

interface TimedRecord {
  tMs: number;
  r: TelemetryRecord;
}

export async function verifyStep(ctx: CalibrationContext, o: { cal: Calibration; limitMm: number; acceptanceUm?: number; settle?: VerifySettle }): Promise<VerifyResult> {
  const limitUm = o.acceptanceUm ?? ACCEPTANCE_UM;
  const fail = (why: string): never => {
    throw new CalibrationError('verify', why);
  };
  await ctx.run(ctx.client.calWrite(o.cal, true));
  await ctx.gauge.fixture('phantom', PHANTOM_INSTRUCTIONS);
  const recs: TimedRecord[] = [];
  const off = ctx.client.onTelemetry((r) => recs.push({ tMs: ctx.clock.now(), r }));
  const depths = VERIFY_DEPTHS_MM.map((d) => Math.min(d, Math.floor((o.limitMm - 0.1) * 100) / 100));
  const points: VerifyPoint[] = [];
  try {
    await ctx.run(ctx.client.subscribeTelemetry({ every: 10, perStroke: true }));
    const order = o.settle?.byDepth
      ? depths.flatMap((depthMm) => VERIFY_RATES.map((rate) => ({ depthMm, rate })))
      : VERIFY_RATES.flatMap((rate) => depths.map((depthMm) => ({ depthMm, rate })));
    for (const { depthMm, rate } of order) {
      const label = `${depthMm.toFixed(2)} mm at ${rate}/s`;
      await o.settle?.atRest?.();
      await ctx.gauge.strokesBegin(label);
      const runFrom = ctx.clock.now();
      const maxS = o.settle ? Math.ceil((SETTLE_MS + o.settle.maxMs + WINDOW_MS) / 1000) + 1 : 5;
      await ctx.run(ctx.client.startRun({ depth: depthMm, rate, maxS }));
      await ctx.sleep(SETTLE_MS);
      if (o.settle) await settled(ctx, recs, runFrom, depthMm, o.settle);
      const fromMs = ctx.clock.now();
      await ctx.sleep(WINDOW_MS);
      const toMs = ctx.clock.now();
      await ctx.run(ctx.client.stopRun());
      const st = await ctx.run(ctx.client.status());
      // UNCALIBRATED (or STORAGE_CORRUPT) stays latched in SERVICE until the write: anything else is new
      if ((st.fault !== 0 && !CAL_FAULTS.includes(FAULT_NAMES[st.fault])) || !st.service) {
        const log = await ctx.run(ctx.client.getFaults());
        const last = log.faults[log.faults.length - 1];
        fail(`verification at ${label}: the pen latched ${FAULT_NAMES[st.fault] ?? st.fault}${last ? ` (${last.ctx})` : ''}: the identified model does not fit this pen in skin — check the cartridge and repeat`);
      }
      // records that arrived in the window (a record covers the 10 strokes before it)
      const inWin = recs.filter((x) => x.tMs > fromMs && x.tMs <= toMs + 20);
      const inRun = recs.filter((x) => x.tMs > runFrom && x.tMs <= toMs + 20);
      const reading = await ctx.gauge.strokesEnd(label, { fromMs, toMs });
      const depthsUm = (reading.kind === 'mean' ? inWin : inRun).flatMap((x) => x.r.depths ?? (x.r.depthUm !== undefined ? [x.r.depthUm] : []));
      if (!depthsUm.length) fail(`verification at ${label}: no telemetry from the pen during the run (link too slow or lost)`);
      const penMm = reading.kind === 'mean' ? depthsUm.reduce((a, v) => a + v, 0) / depthsUm.length / 1000 : Math.max(...depthsUm) / 1000;
      const notReached = inWin.some((x) => ((x.r.warn ?? 0) & 1) !== 0);
      const errorUm = reading.kind === 'mean' ? (reading.mm - depthMm) * 1000 : null;
      const penVsGaugeUm = (penMm - reading.mm) * 1000;
      const pass = Math.abs(penVsGaugeUm) <= limitUm && (errorUm === null || Math.abs(errorUm) <= limitUm);
      const note = pass ? '' : likelyCause(depthMm, rate, errorUm, penVsGaugeUm, notReached, limitUm);
      const p: VerifyPoint = { depthMm, rate, gaugeMm: reading.mm, gaugeKind: reading.kind, strokes: reading.strokes, penMm, errorUm, penVsGaugeUm, pass, note };
      points.push(p);
      ctx.samples.add('verify', label, `gauge ${reading.kind}`, reading.mm, 'mm');
      ctx.samples.add('verify', label, `pen ${reading.kind}`, penMm, 'mm');
      ctx.progress(points.length / (depths.length * VERIFY_RATES.length), `${label}: gauge ${reading.mm.toFixed(3)} mm${errorUm === null ? '' : ` (${errorUm >= 0 ? '+' : ''}${errorUm.toFixed(1)} µm)`}`);
    }
  } finally {
    off();
    await ctx.run(ctx.client.unsubscribeTelemetry()).catch(() => undefined);
  }
  const worstUm = Math.max(...points.map((p) => Math.max(Math.abs(p.errorUm ?? 0), Math.abs(p.penVsGaugeUm))));
  const bad = points.find((p) => !p.pass);
  if (bad) {
    const e = new CalibrationError('verify', `verification failed at ${bad.depthMm.toFixed(2)} mm, ${bad.rate}/s: gauge ${bad.gaugeMm.toFixed(3)} mm, pen ${bad.penMm.toFixed(3)} mm — ${bad.note}; nothing was written`);
    (e as CalibrationError & { verification?: VerifyResult }).verification = { points, acceptanceUm: limitUm, worstUm };
    throw e;
  }
  ctx.log(`verification: ${points.length} points within ${limitUm} µm (worst ${worstUm.toFixed(1)} µm)`);
  return { points, acceptanceUm: limitUm, worstUm };
}

/** Wait until the pen's latest telemetry record of this run shows it at its setpoint (or `maxMs` from the run's start). */
async function settled(ctx: CalibrationContext, recs: readonly TimedRecord[], runFrom: number, depthMm: number, s: VerifySettle): Promise<void> {
  const setUm = depthMm * 1000;
  while (ctx.clock.now() < runFrom + s.maxMs) {
    const last = recs[recs.length - 1];
    const d = last && last.tMs > runFrom ? last.r.depths ?? [] : [];
    if (d.length && Math.abs(d.reduce((a, v) => a + v, 0) / d.length - setUm) <= s.withinUm && d.every((v) => Math.abs(v - setUm) <= 3 * s.withinUm)) return;
    await ctx.sleep(40);
  }
}

function likelyCause(depth: number, rate: number, errorUm: number | null, penVsGaugeUm: number, notReached: boolean, limitUm: number): string {
  if (notReached) return `the pen could not reach ${depth} mm at ${rate}/s (drive saturated): supply low, or the stroke model is wrong at this rate`;
  if (Math.abs(penVsGaugeUm) > limitUm) {
    return `the pen's own depth reading is ${Math.abs(penVsGaugeUm).toFixed(0)} µm ${penVsGaugeUm > 0 ? 'deeper' : 'shallower'} than the gauge: the Hall calibration does not hold in use (gauge or phantom moved, sensor drifting with temperature)`;
  }
  return `the pen measured its setpoint but the needle sat ${Math.abs(errorUm ?? 0).toFixed(0)} µm off it: the loop had not settled (gains too low for this pen, or the skin phantom is too firm)`;
}
