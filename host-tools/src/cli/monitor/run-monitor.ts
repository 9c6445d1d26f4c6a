// The monitoring session behind `stipple monitor`: subscribe telemetry, optionally start
// a host-driven run (bench build, or SERVICE with the technician secret), pass records
// and events on until the duration is over, Ctrl-C, or the run we started ended; then
// undo what we did (stop the run, unsubscribe, leave SERVICE) whatever happened.
import type { TelemetryRecord } from '@stipple/protocol';
import { FAULT_NAMES, RUN_MAX_S } from '@stipple/protocol';
import type { PenEvent } from '../../link/pen-client';
import { CliError } from '../output';
import type { PenSession } from '../port/pen-session';

export interface MonitorRun {
  depth: number;
  rate: number;
}

export interface MonitorOptions {
  /** Strokes per telemetry record. */
  every: number;
  /** Stop after this long on the session's clock (virtual for --port sim), s. */
  durationS?: number;
  run?: MonitorRun;
  /** Technician secret for SERVICE (a device build needs it for --run). */
  secret?: string;
  /** Resolves when the user interrupts (Ctrl-C). */
  interrupted: Promise<void>;
  onRecord(r: TelemetryRecord, seq: number, lost: number, hostMs: number): void;
  onEvent(e: PenEvent): void;
  onNote(s: string): void;
}

export type MonitorEnd = 'duration' | 'interrupt' | 'run-ended';

export interface MonitorSummary {
  endedBy: MonitorEnd;
  records: number;
  /** Telemetry records and events lost on the link (seq gaps). */
  lost: number;
  /** On the session's clock, s. */
  seconds: number;
  /** Set if a run we started ended with a fault. */
  fault: { code: number; name: string } | null;
}

export async function monitorPen(s: PenSession, o: MonitorOptions): Promise<MonitorSummary> {
  const client = s.client;
  const info = s.info ?? (await s.hello());
  const t0 = s.clock.now();
  let records = 0;
  let started = false;
  let entered = false;
  let linkLost = false;
  let fault: MonitorSummary['fault'] = null;
  let runEnded: () => void = () => undefined;
  const runEndedP = new Promise<MonitorEnd>((r) => { runEnded = () => r('run-ended'); });
  const off = client.onEvent((e) => {
    if (e.id === 'tlm') {
      records++;
      o.onRecord(e.record, e.seq, client.lostEvents, s.clock.now() - t0);
      return;
    }
    o.onEvent(e);
    if (!started) return;
    if (e.id === 'fault') { fault = { code: e.body.code, name: FAULT_NAMES[e.body.code] ?? String(e.body.code) }; runEnded(); }
    if (e.id === 'state' && e.body.prev === 'RUNNING' && e.body.state !== 'RUNNING') runEnded();
  });
  try {
    await client.subscribeTelemetry({ every: o.every });
    if (o.run) {
      if (info.drive !== 'bench') {
        if (!o.secret) throw new CliError('--run on a pen with the device firmware needs SERVICE mode: give the technician secret with --secret (a bench build runs without)');
        await client.enterService(o.secret);
        entered = true;
      }
      const maxS = Math.min(RUN_MAX_S, o.durationS ? Math.ceil(o.durationS) + 1 : RUN_MAX_S);
      await client.startRun({ depth: o.run.depth, rate: o.run.rate, maxS });
      started = true;
      o.onNote(`host-driven run at ${o.run.depth} mm, ${o.run.rate} strokes/s${o.durationS ? ` for ${o.durationS} s` : ''} (Ctrl-C stops it)`);
    } else {
      o.onNote('telemetry flows while the pen runs: start it on the handset, or use --run depth,rate (Ctrl-C to quit)');
    }
    const waits: Promise<MonitorEnd>[] = [
      o.interrupted.then(() => 'interrupt' as const),
      s.lost.then((why) => { linkLost = true; throw new CliError(`lost the pen: ${why}`); }),
    ];
    if (o.durationS !== undefined) waits.push(s.sleep(o.durationS * 1000).then(() => 'duration' as const));
    if (started) waits.push(runEndedP);
    const endedBy = await Promise.race(waits);
    return { endedBy, records, lost: client.lostEvents, seconds: (s.clock.now() - t0) / 1000, fault };
  } finally {
    // undo in reverse order, each step on its own: a failure must not skip the others (with
    // the link gone there is nobody to tell: a run stops by itself 200 ms after its last heartbeat)
    if (!linkLost) {
      if (started) await client.stopRun().catch(() => undefined);
      await client.unsubscribeTelemetry().catch(() => undefined);
      if (entered) await client.leaveService().catch(() => undefined);
    }
    off();
  }
}
