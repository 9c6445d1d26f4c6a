// One host-driven run of a calibrated virtual pen at a matrix point, closed or open loop:
// what the pen measured (telemetry, per-stroke depths) and what really happened (the rig's
// per-stroke true bottom-of-stroke protrusion and stroke times). The bench is the
// instrument: it reads the simulator's gauge, as a technician reads a dial indicator; the
// pen's controller never sees it.
import { FAULT_NAMES } from '@stipple/protocol';
import { calibratedSimPen } from '../sim/calibrated-sim-pen';
import type { CalibratedSimPen } from '../sim/calibrated-sim-pen';
import type { BenchPoint } from './bench-matrix';

export interface RunMeasurement {
  openLoop: boolean;
  /** true bottom-of-stroke protrusion of each stroke of the run, µm (the gauge: 1 µm resolution) */
  trueUm: number[];
  /** virtual time of each stroke's bottom, s from the run request */
  timesS: number[];
  /** strokes of the lead-in (before the first segment) */
  leadInStrokes: number;
  /** strokes before the stiffness step (lead-in included) */
  strokesBeforeStep: number;
  /** the pen's own per-stroke depths from telemetry, µm, in stroke order (whole telemetry records only) */
  penUm: number[];
  /** a fault the pen latched during the run ('' if none): its name and context */
  fault: string;
}

/** Telemetry record length: the smallest the protocol allows, so few strokes are lost at the end. */
const TLM_EVERY = 10;

/**
 * A pen in the point's conditions, started with the record the calibration routine derived
 * for it. Always a pen given the cached record (calibrating first if needed), so closed and
 * open loop runs start from the same state (cold coil, fresh controller, same virtual time).
 */
async function penFor(p: BenchPoint): Promise<CalibratedSimPen> {
  const opts = { seed: p.seed, variant: p.variant, skin: { type: p.skin, wobble: p.wobble } };
  const first = await calibratedSimPen(opts);
  if (first.fromCache) return first;
  await first.close();
  return calibratedSimPen(opts);
}

export async function measureRun(p: BenchPoint, openLoop: boolean): Promise<RunMeasurement> {
  const c = await penFor(p);
  try {
    const { pen, link, client } = c;
    const penUm: number[] = [];
    let fault = '';
    client.onTelemetry((r) => {
      if (r.depths) for (const d of r.depths) penUm.push(d);
    });
    client.onEvent((e) => {
      if (e.id === 'fault' && !fault) fault = `${FAULT_NAMES[e.body.code] ?? e.body.code}${e.body.ctx ? ` (${e.body.ctx})` : ''}`;
    });
    await link.run(client.enterService(pen.secret));
    await link.run(client.subscribeTelemetry({ every: TLM_EVERY, fields: ['depthUm'], perStroke: true }));
    const t0 = link.now;
    const segmentAt = t0 + p.leadInS;
    const stepAt = segmentAt + p.segmentS;
    const end = stepAt + p.segmentS;
    pen.hardware.conditions.setStiffnessStep(p.stiffnessStep, stepAt);
    try {
      await link.run(client.startRun({ depth: p.depthMm, rate: p.rate, maxS: Math.ceil(p.leadInS + 2 * p.segmentS) + 5, openLoop }));
    } catch (e) {
      if (!fault) fault = `runStart refused: ${e instanceof Error ? e.message : String(e)}`;
    }
    while (!fault && link.now < end) await link.advance(Math.min(0.1, end - link.now));
    if (!fault) await link.run(client.stopRun());
    const strokes = pen.hardware.gauge.strokes(t0).filter((s) => s.time <= end);
    return {
      openLoop,
      trueUm: strokes.map((s) => Math.round(s.bottomMm * 1000)),
      timesS: strokes.map((s) => s.time - t0),
      leadInStrokes: strokes.filter((s) => s.time < segmentAt).length,
      strokesBeforeStep: strokes.filter((s) => s.time < stepAt).length,
      penUm,
      fault,
    };
  } finally {
    await c.close();
  }
}
