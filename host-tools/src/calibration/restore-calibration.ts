// `stipple calibrate --restore`: the pen goes back to the calibration it kept when the
// last one was written (NOT_ALLOWED if it has none). SERVICE in and out; the restored
// record is read back.
import { FAULT_NAMES } from '@stipple/protocol';
import type { Calibration } from '@stipple/protocol';
import type { PenClient } from '../link/pen-client';
import { PenError } from '../link/errors';
import { CalibrationError } from './calibration-error';

export interface RestoreOptions {
  client: PenClient;
  run: <T>(p: Promise<T>) => Promise<T>;
  secret: string;
}

export async function restoreCalibration(o: RestoreOptions): Promise<{ before: Calibration | null; restored: Calibration }> {
  const { client, run } = o;
  await run(client.enterService(o.secret)).catch((e: unknown) => {
    if (e instanceof PenError && e.code === 'AUTH_FAILED') throw new CalibrationError('restore', 'the pen refused the technician secret: use the secret issued for this pen');
    throw e;
  });
  try {
    const before = (await run(client.calRead())).cal;
    let r;
    try {
      r = await run(client.calRestore());
    } catch (e) {
      if (e instanceof PenError && e.code === 'NOT_ALLOWED') throw new CalibrationError('restore', `the pen has no previous calibration to go back to (${e.message})`);
      throw e;
    }
    if (r.status !== 'ok' || !r.cal) throw new CalibrationError('restore', `the restored calibration reads back as ${r.status}`);
    const st = await run(client.status());
    // a pen that had been uncalibrated has a record again: its boot-time fault goes
    if (FAULT_NAMES[st.fault] === 'UNCALIBRATED' || FAULT_NAMES[st.fault] === 'STORAGE_CORRUPT') await run(client.clearFaults()).catch(() => undefined);
    return { before, restored: r.cal };
  } finally {
    await run(client.leaveService()).catch(() => undefined);
  }
}
