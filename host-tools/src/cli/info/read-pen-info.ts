// Everything `stipple info` shows, read from a greeted pen in one go: identity (hello),
// state, counters, fault log and calibration record, with fault names and the
// calibration's age worked out. This object is also the `--json` output.
import { FAULT_NAMES, schemaFingerprint } from '@stipple/protocol';
import type { Info, ReplyBody } from '@stipple/protocol';
import type { PenClient } from '../../link/pen-client';

export interface NamedFault {
  code: number;
  name: string;
  /** As the pen logs it: seconds since 1970 if its clock is set, else since boot. */
  t: number;
  /** ISO time when `t` is a date, else null. */
  date: string | null;
  ctx: string;
}

export interface PenInfo {
  port: string;
  firmware: string;
  protocol: number;
  fingerprint: string;
  hostFingerprint: string;
  board: string;
  drive: string;
  serial: string;
  service: boolean;
  state: ReplyBody<'status'>;
  calibration: {
    status: 'ok' | 'missing' | 'corrupt';
    date: string | null;
    /** Whole days since the calibration date (null if none or unreadable). */
    ageDays: number | null;
    technician: string | null;
    gaugeId: string | null;
    firmware: string | null;
  };
  counters: ReplyBody<'getCounters'>;
  latchedFault: { code: number; name: string } | null;
  faultLog: NamedFault[];
}

export function faultName(code: number): string {
  return FAULT_NAMES[code] ?? `FAULT_${code}`;
}

/** A fault time above this is seconds since 1970 (2001-09-09), below it seconds since boot. */
const EPOCH_THRESHOLD_S = 1e9;

export function ageDays(date: string, now: number): number | null {
  const t = Date.parse(date);
  return Number.isFinite(t) ? Math.max(0, Math.floor((now - t) / 86400000)) : null;
}

export async function readPenInfo(client: PenClient, hello: Info, port: string, now = Date.now()): Promise<PenInfo> {
  const state = await client.status();
  const counters = await client.getCounters();
  const faults = await client.getFaults();
  const cal = await client.calRead();
  const meta = cal.cal?.meta;
  const date = meta?.date ?? (hello.cal.date || null);
  return {
    port,
    firmware: hello.fw,
    protocol: hello.pv,
    fingerprint: hello.fp,
    hostFingerprint: schemaFingerprint(),
    board: hello.board,
    drive: hello.drive,
    serial: hello.serial,
    service: hello.service,
    state,
    calibration: {
      status: cal.status,
      date,
      ageDays: date ? ageDays(date, now) : null,
      technician: meta?.technician ?? null,
      gaugeId: meta?.gaugeId ?? null,
      firmware: meta?.firmware ?? null,
    },
    counters,
    latchedFault: faults.active ? { code: faults.active, name: faultName(faults.active) } : null,
    faultLog: faults.faults.map((f) => ({
      code: f.code, name: faultName(f.code), t: f.t, date: f.t >= EPOCH_THRESHOLD_S ? new Date(f.t * 1000).toISOString() : null, ctx: f.ctx,
    })),
  };
}
