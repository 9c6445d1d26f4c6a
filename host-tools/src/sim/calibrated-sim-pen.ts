// A virtual pen running the real firmware bundle, calibrated by the technician's routine
// (`calibratePen`, the library behind `stipple calibrate`) against the virtual pen's own
// rig (`SimGauge`): what benchmarks and HIL scenarios that want "a calibrated pen" start from.
//
// The calibration record is cached in this process per pen identity (seed, variant, part
// spread, board, supply, bundle content hash). A second pen with the same identity is not
// recalibrated: it is given the record the routine derived for the first one, written
// through the protocol exactly as the routine's write step writes it (SERVICE, `calWrite`,
// read back and compared field by field, the boot-time UNCALIBRATED fault cleared, SERVICE
// left). The same seed draws the same part parameters, so it is the same pen and the same
// record a technician would carry to it (`calibration.meta` names the serial it is for).
//
// Calibration runs on the rig, as a technician's does: the pen is made with the rig's skin
// (the gauge swaps air and the `normal` phantom), and the caller's `skin` conditions
// (tissue, stiffness step, wobble, surface offset, random walk) are applied after it.
//
// The record is dated SIM_CALIBRATION_DATE unless the caller names a date, not by the wall
// clock: the record travels to the pen in frames whose length depends on its content (the
// frame's CRC is written in decimal, 9 or 10 digits), and every byte takes virtual time on
// the link, so a wall-clock date would make everything the pen does afterwards depend on the
// second it was calibrated in (the bench's points on whichever worker calibrated their pen).
import { createHash } from 'node:crypto';
import { FAULT_NAMES } from '@stipple/protocol';
import type { Calibration } from '@stipple/protocol';
import { calibratePen } from '../calibration/calibrate-pen';
import type { CalibrationResult } from '../calibration/calibrate-pen';
import { SimGauge } from '../calibration/sim-gauge';
import { firstDifference } from '../calibration/write-step';
import { connectSimPen } from './connect-sim-pen';
import type { ConnectSimPenOptions, SimPenConnection } from './connect-sim-pen';
import { penBundle } from './virtual-pen';
import type { VirtualPen } from './virtual-pen';

export interface CalibratedSimPenOptions extends ConnectSimPenOptions {
  /** Technician name in the record (default 'sim technician'). */
  technician?: string;
  /** Date in the record (default SIM_CALIBRATION_DATE, so the same pen gets the same record). */
  date?: Date;
  /** false: always run the routine on this pen, neither reading nor filling the cache (default true). */
  cache?: boolean;
  /** Lines the routine prints for the technician (default: dropped). */
  onLog?: (line: string) => void;
}

export interface CalibratedSimPen extends SimPenConnection {
  /** The record in force on this pen (read back from it). */
  calibration: Calibration;
  /** The routine's result (report, record, raw samples): for a pen given a cached record, the result of the run that derived it. */
  result: CalibrationResult;
  /** true when this pen was given a record the routine derived earlier in this process for the same pen identity. */
  fromCache: boolean;
}

/** The date of a simulated pen's record when the caller names none: fixed, so a pen's timeline never depends on the wall clock. */
export const SIM_CALIBRATION_DATE = new Date('2026-01-01T00:00:00Z');

const cache = new Map<string, CalibrationResult>();

/**
 * Connect a virtual pen (`connectSimPen`) and calibrate it with `calibratePen` and the sim
 * gauge, or give it the cached record of the same pen. Resolves with the connection (hello
 * done, SERVICE left, no fault latched, skin conditions applied) and the calibration (voice
 * coil or stepper); rejects with the routine's `CalibrationError` when it cannot calibrate,
 * after closing the connection.
 */
export async function calibratedSimPen(opts: CalibratedSimPenOptions): Promise<CalibratedSimPen> {
  const bundle = penBundle(opts);
  const key = penIdentity(opts, bundle);
  const { skin, technician, date, cache: useCache, onLog, ...pen } = opts;
  const c = await connectSimPen({ ...pen, bundle });
  try {
    const cached = useCache === false ? undefined : cache.get(key);
    let result: CalibrationResult;
    if (cached) {
      await writeRecord(c, cached.calibration);
      result = cached;
    } else {
      result = await calibratePen({
        client: c.client, run: (p) => c.link.run(p), clock: c.link.clock, gauge: new SimGauge(c.pen.hardware),
        secret: c.pen.secret, technician: technician ?? 'sim technician', date: date ?? SIM_CALIBRATION_DATE, onLog,
        tool: 'calibratedSimPen (host-tools/src/sim/calibrated-sim-pen.ts)',
      });
      if (useCache !== false) cache.set(key, result);
    }
    applySkin(c.pen, skin);
    return { ...c, calibration: result.calibration, result, fromCache: !!cached };
  } catch (e) {
    await c.close().catch(() => undefined);
    throw e;
  }
}

/** Forget every cached record (tests that need the routine to run again). */
export function clearCalibrationCache(): void {
  cache.clear();
}

/** What makes two virtual pens the same pen: the drawn parts, the board, the supply and the firmware. */
function penIdentity(o: ConnectSimPenOptions, bundle: string): string {
  const hash = createHash('sha256').update(bundle, 'latin1').digest('hex');
  return JSON.stringify([o.seed, o.variant ?? 'voiceCoil', o.spread !== false, o.board ?? 'PICO', o.supplyV ?? null, hash]);
}

/** The routine's write step, for a record it derived earlier: SERVICE, calWrite, read back, clear UNCALIBRATED, leave. */
async function writeRecord(c: SimPenConnection, cal: Calibration): Promise<void> {
  const { client, link, pen } = c;
  await link.run(client.enterService(pen.secret));
  await link.run(client.calWrite(cal));
  const back = await link.run(client.calRead());
  const diff = back.cal ? firstDifference(cal, back.cal) : 'cal';
  if (back.status !== 'ok' || diff) throw new Error(`the cached calibration did not read back (${back.status}${diff ? `, differs at ${diff}` : ''})`);
  const st = await link.run(client.status());
  const fault = FAULT_NAMES[st.fault];
  if (fault === 'UNCALIBRATED' || fault === 'STORAGE_CORRUPT') await link.run(client.clearFaults());
  else if (st.fault !== 0) throw new Error(`the pen has fault ${fault ?? st.fault} latched after the calibration was written`);
  await link.run(client.leaveService());
}

function applySkin(pen: VirtualPen, s: ConnectSimPenOptions['skin']): void {
  if (!s) return;
  const cond = pen.hardware.conditions;
  if (s.type !== undefined) cond.setSkin(s.type);
  if (s.stiffness !== undefined) cond.setStiffnessStep(s.stiffness);
  if (s.randomWalk !== undefined) cond.setRandomWalk(s.randomWalk);
  if (s.surfaceOffsetMm !== undefined) cond.setSurfaceOffset(s.surfaceOffsetMm);
  if (s.wobble) cond.setWobble(s.wobble);
}
