// Step 6, write and record: the verified calibration goes to flash (the pen reads it back
// itself and keeps the previous record for calRestore); the host reads it back too and
// compares field by field; the UNCALIBRATED fault the pen latched at boot is cleared (it
// stays latched after a write until a technician clears it); SERVICE is left.
import type { Calibration } from '@stipple/protocol';
import { PenError } from '../link/errors';
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';

export interface WriteResult {
  status: string;
  readBackOk: true;
  /** fault cleared after the write, if any */
  cleared: string | null;
  stateAfter: string;
}

export async function writeStep(ctx: CalibrationContext, cal: Calibration): Promise<WriteResult> {
  const fail = (why: string): never => {
    throw new CalibrationError('write', why);
  };
  let status: string;
  try {
    status = (await ctx.run(ctx.client.calWrite(cal))).status;
  } catch (e) {
    if (e instanceof PenError) fail(`the pen did not store the calibration (${e.message}); the previous calibration is still in force`);
    throw e;
  }
  ctx.progress(0.4, 'written');
  const back = await ctx.run(ctx.client.calRead());
  if (back.status !== 'ok' || !back.cal) fail(`read-back: the pen reports its calibration as ${back.status}`);
  const diff = firstDifference(cal, back.cal);
  if (diff) fail(`read-back differs at ${diff}: flash fault — restore the previous calibration with --restore and service the pen`);
  ctx.progress(0.7, 'read back');
  let cleared: string | null = null;
  const st = await ctx.run(ctx.client.status());
  if (st.fault !== 0) {
    try {
      await ctx.run(ctx.client.clearFaults());
      cleared = String(st.fault);
    } catch (e) {
      if (!(e instanceof PenError && e.code === 'NOT_ALLOWED')) throw e;
      ctx.log(`the pen keeps fault ${st.fault} latched: ${e.message}`);
    }
  }
  await ctx.run(ctx.client.leaveService());
  const after = await ctx.run(ctx.client.status());
  ctx.progress(1, `pen ${after.state}`);
  return { status, readBackOk: true, cleared, stateAfter: after.state };
}

/** Path of the first field where two JSON values differ, or ''. */
export function firstDifference(a: unknown, b: unknown, path = 'cal'): string {
  if (typeof a !== typeof b) return path;
  if (a === null || b === null || typeof a !== 'object') return a === b ? '' : path;
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  for (const k of new Set([...ka, ...kb])) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return '';
}
