// How fast the virtual pen runs (issue 3's target: ≥ 200× real time at 150 strokes/s with
// the firmware in the loop, on one core): virtual seconds per wall second of a calibrated
// pen stroking at 150 strokes/s, 1.0 mm, into normal skin with hand wobble.
//  - `realtimeFactor`: the pen alone — the real bundle on the virtual board and the physics,
//    a practitioner's run started on the handset, the board stepped directly.
//  - `linkedRealtimeFactor`: a host-driven run in SERVICE over the in-process link, with
//    heartbeats every 50 ms and per-stroke telemetry: what the bench, HIL scenarios and
//    `--port sim` pay on top.
import { calibratedSimPen } from '../sim/calibrated-sim-pen';
import type { CalibratedSimPen } from '../sim/calibrated-sim-pen';
import type { PenVariant } from '../sim/physics/pen-hardware';

export interface SimSpeed {
  realtimeFactor: number | null;
  linkedRealtimeFactor: number | null;
  /** virtual seconds timed for each figure */
  virtualS: number;
  /** why a figure is null ('' when both were measured) */
  error: string;
}

const RATE = 150;
const DEPTH_MM = 1.0;
/** Warm-up before the timing: at least this, then until a 0.2 s window strokes at the rate (a stepper first moves its stage and ramps its cam: 1.1–1.7 s). */
const WARMUP_S = 1;
const WARMUP_MAX_S = 5;
const WINDOW_S = 0.2;

/** Advance until `count()` grows at RATE (±5 %) over a window, after at least WARMUP_S; throws if it never does. */
async function warmUp(advance: (s: number) => Promise<void> | void, count: () => number, what: string): Promise<void> {
  await advance(WARMUP_S);
  for (let t = WARMUP_S; t < WARMUP_MAX_S; t += WINDOW_S) {
    const n0 = count();
    await advance(WINDOW_S);
    if (Math.abs(count() - n0 - RATE * WINDOW_S) <= RATE * WINDOW_S * 0.05) return;
  }
  throw new Error(`the ${what} did not stroke at ${RATE}/s within ${WARMUP_MAX_S} s`);
}

export async function measureSimSpeed(variant: PenVariant, seed: number, virtualS: number): Promise<SimSpeed> {
  let c: CalibratedSimPen | undefined;
  const out: SimSpeed = { realtimeFactor: null, linkedRealtimeFactor: null, virtualS, error: '' };
  try {
    c = await calibratedSimPen({ seed, variant, skin: { type: 'normal', wobble: { amplitudeMm: 0.2, freqHz: 2 } } });
    out.realtimeFactor = await handsetRun(c, virtualS);
    out.linkedRealtimeFactor = await hostRun(c, virtualS);
  } catch (e) {
    out.error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  } finally {
    await c?.close();
  }
  return out;
}

/** Preset 1 (density) admits 150 strokes/s at 1.0 mm. */
async function handsetRun(c: CalibratedSimPen, virtualS: number): Promise<number> {
  const { pen, link, client } = c;
  await link.run(client.setConfig({ preset: 1, depth: DEPTH_MM, rate: RATE }));
  pen.hardware.handset.press('BTN_RUN', 80);
  await link.advance(0.3);
  await warmUp((t) => pen.runFor(t), () => pen.hardware.traces.count, 'handset run');
  const n0 = pen.hardware.traces.count;
  const w0 = performance.now();
  pen.runFor(virtualS);
  const wallS = (performance.now() - w0) / 1000;
  const strokes = pen.hardware.traces.count - n0;
  if (Math.abs(strokes - RATE * virtualS) > RATE * 0.05 * virtualS) throw new Error(`the handset run did not stroke at ${RATE}/s (${strokes} strokes in ${virtualS} s)`);
  pen.hardware.handset.press('BTN_RUN', 80);
  await link.advance(2); // stopped: the stepper's stage homes (~1.4 mm/s) before the next run
  return virtualS / wallS;
}

async function hostRun(c: CalibratedSimPen, virtualS: number): Promise<number> {
  const { pen, link, client } = c;
  let depths = 0;
  client.onTelemetry((r) => { depths += r.depths?.length ?? 0; });
  await link.run(client.enterService(pen.secret));
  await link.run(client.subscribeTelemetry({ every: 10, perStroke: true }));
  await link.run(client.startRun({ depth: DEPTH_MM, rate: RATE, maxS: Math.ceil(virtualS + WARMUP_MAX_S) + 5 }));
  await warmUp((t) => link.advance(t), () => pen.hardware.traces.count, 'host run');
  const d0 = depths;
  const w0 = performance.now();
  await link.advance(virtualS);
  const wallS = (performance.now() - w0) / 1000;
  await link.run(client.stopRun());
  if (depths - d0 < RATE * virtualS * 0.9) throw new Error(`the host run did not report ${RATE} strokes/s (${depths - d0} in ${virtualS} s)`);
  return virtualS / wallS;
}
