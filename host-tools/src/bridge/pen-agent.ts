// One pen behind one port, for as long as the bridge runs: open and greet it, publish its
// birth (status, info, counters, calibration, a fault already latched) and then its life
// (1 Hz telemetry summaries, optional per-stroke records, faults as they latch, counters
// when they change), answer the commands of the allow-list, and when the port drops say
// so (status offline) and wait for it to come back. Everything that waits on the pen runs
// inside `session.run()` (a virtual pen's time moves only there).
import { FAULT_NAMES, MQTT_PAYLOAD_VERSION, STATE_NAMES } from '@stipple/protocol';
import type {
  BridgeCommand, CalibrationSummaryPayload, CountersPayload, Info, PenInfoPayload, StateName, TelemetryRecord,
} from '@stipple/protocol';
import type { PenSession } from '../cli/port/pen-session';
import type { ClockTimer } from '../link/clock';
import type { PenEvent } from '../link/pen-client';
import { Backoff } from './backoff';
import type { BridgeLog } from './bridge-log';
import { calibrationSummary } from './calibration-summary';
import type { Outbox } from './outbox';
import { runCommand } from './pen-commands';
import type { CommandTarget } from './pen-commands';
import type { PenPort } from './pen-port';
import { TelemetryWindow } from './telemetry-window';

export interface AgentContext {
  outbox: Outbox;
  bridgeId: string;
  log: BridgeLog;
  /** Strokes per pen telemetry record (10…1000). */
  tlmEvery: number;
  /** Publish each telemetry record on …/telemetry/strokes. */
  rawStrokes: boolean;
  /** Wall-clock time stamp for payloads, ms since 1970. */
  now(): number;
  /** Resolves when the bridge stops. */
  stopped: Promise<void>;
  /** A pen was greeted on this agent's port (serial known) or went offline. */
  changed(agent: PenAgent): void;
}

/** How often the counters are checked for a change, on the pen session's clock, ms. */
const COUNTERS_EVERY_MS = 10000;
const SUMMARY_EVERY_MS = 1000;
/** Longest wait for one command's requests, s of the session's clock. */
const COMMAND_LIMIT_S = 10;
/** Commands waiting per pen before BUSY. */
const COMMANDS_MAX = 8;
/** Counters reads failing in a row before the pen counts as gone (its port may stay open while it hangs). */
const UNANSWERED_MAX = 3;
/** At stop: how long to wait for the pen to take back its telemetry subscription, ms (wall). */
const GOODBYE_MS = 500;

export class CommandBusy extends Error {}

export class PenAgent {
  serial: string | undefined;
  online = false;
  private session: PenSession | undefined;
  private info: Info | undefined;
  private births = 0;
  private faultN = 0;
  private dropped = 0;
  private state: StateName = 'IDLE';
  private fault = 0;
  private penOffsetMs = 0;
  private window: TelemetryWindow | undefined;
  private infoPayload: PenInfoPayload | undefined;
  private countersPayload: CountersPayload | undefined;
  private countersJson = '';
  private calibrationPayload: CalibrationSummaryPayload | undefined;
  private commands: Promise<unknown> = Promise.resolve();
  private commandsWaiting = 0;
  private stopping = false;
  /** Why the last attempt to open the port failed (logged once per reason). */
  private lastOpenError = '';

  /** Fault messages handed to the outbox for this pen (its last `n`). */
  get faultsPublished(): number {
    return this.faultN;
  }

  constructor(readonly port: PenPort, private readonly ctx: AgentContext) {
    void ctx.stopped.then(() => { this.stopping = true; });
  }

  /** Serve the port until the bridge stops: open, serve, and after a drop wait for it to come back. */
  async run(): Promise<void> {
    const backoff = new Backoff({ minMs: 1000, maxMs: 30000 });
    while (!this.stopping) {
      if (!this.port.present()) {
        await this.wallWait(250);
        continue;
      }
      let s: PenSession;
      try {
        s = await this.port.open();
      } catch (e) {
        const why = (e as Error).message.split('\n')[0]!;
        if (why !== this.lastOpenError) this.ctx.log('warn', 'pen-open-failed', `${this.port.name}: ${why}`, { port: this.port.name });
        this.lastOpenError = why;
        if (!this.port.reopenable) return;
        await this.wallWait(backoff.next());
        continue;
      }
      backoff.reset();
      this.lastOpenError = '';
      let lost: string | null;
      try {
        lost = await s.run(this.serve(s), { limitS: Infinity });
      } catch (e) {
        lost = `the pen stopped answering: ${(e as Error).message.split('\n')[0]}`;
      }
      if (lost === null) await this.goodbye(s);
      this.wentOffline(lost ?? 'bridge stopped');
      await s.close().catch(() => undefined);
      this.session = undefined;
      if (!this.port.reopenable) return;
    }
  }

  private wallWait(ms: number): Promise<void> {
    return Promise.race([new Promise<void>((r) => setTimeout(r, ms).unref()), this.ctx.stopped]);
  }

  private penNow(): number {
    return (this.session?.clock.now() ?? 0) + this.penOffsetMs;
  }

  private setPenTime(penMs: number): void {
    if (this.session) this.penOffsetMs = penMs - this.session.clock.now();
  }

  /** Resolves with why the port was lost, or null when the bridge stops. */
  private async serve(s: PenSession): Promise<string | null> {
    const c = s.client;
    this.session = s;
    const info = s.info ?? (await s.hello());
    this.info = info;
    this.serial = info.serial;
    const st = await c.status();
    this.state = st.state;
    this.fault = st.fault;
    this.setPenTime(st.uptimeMs);
    this.window = new TelemetryWindow(this.penNow());
    const off = c.onEvent((e) => this.onEvent(e));
    const timers: ClockTimer[] = [];
    let unanswered = 0;
    let gone: (why: string) => void = () => undefined;
    const silent = new Promise<string>((r) => { gone = r; });
    try {
      await c.subscribeTelemetry({ every: this.ctx.tlmEvery, perStroke: true });
      this.births++;
      this.publishStatus('birth', null);
      this.infoPayload = { v: MQTT_PAYLOAD_VERSION, ts: this.ctx.now(), ...info, bridge: this.ctx.bridgeId, port: this.port.name };
      this.ctx.outbox.info(this.infoPayload);
      await this.readCounters(true);
      await this.readCalibration();
      if (st.fault) await this.publishLatchedFault(st.fault);
      this.online = true;
      this.publishStatus('online', null);
      this.ctx.log('info', 'pen-online', `${info.serial} online on ${this.port.name} (${info.drive}, firmware ${info.fw}, state ${st.state})`, { serial: info.serial, port: this.port.name });
      this.ctx.changed(this);
      timers.push(s.clock.setInterval(() => this.summarise(), SUMMARY_EVERY_MS));
      timers.push(s.clock.setInterval(() => {
        this.readCounters(false).then(() => { unanswered = 0; }, (e) => {
          this.requestFailed('counters', e);
          if (++unanswered >= UNANSWERED_MAX) gone(`the pen stopped answering (${UNANSWERED_MAX} reads in a row failed)`);
        });
      }, COUNTERS_EVERY_MS));
      return await Promise.race([s.lost, silent, this.ctx.stopped.then(() => null)]);
    } finally {
      for (const t of timers) s.clock.clearInterval(t);
      off();
      this.online = false;
    }
  }

  /** The bridge stops: take back the telemetry subscription (best effort, bounded on the wall clock). */
  private async goodbye(s: PenSession): Promise<void> {
    const bye = s.run(s.client.unsubscribeTelemetry(), { limitS: 2 }).catch(() => undefined);
    await Promise.race([bye, new Promise((r) => setTimeout(r, GOODBYE_MS).unref())]);
  }

  private wentOffline(reason: string): void {
    if (this.serial === undefined || this.births === 0) return;
    this.publishStatus('offline', reason);
    this.ctx.log(reason === 'bridge stopped' ? 'info' : 'warn', 'pen-offline', `${this.serial} offline: ${reason}`, { serial: this.serial, port: this.port.name, reason });
    this.ctx.changed(this);
  }

  private requestFailed(what: string, e: unknown): void {
    this.ctx.log('warn', 'pen-request-failed', `${this.serial ?? this.port.name}: reading ${what} failed: ${(e as Error).message.split('\n')[0]}`, { serial: this.serial ?? null });
  }

  private publishStatus(status: 'birth' | 'online' | 'offline', reason: string | null): void {
    this.ctx.outbox.penStatus({
      v: MQTT_PAYLOAD_VERSION, ts: this.ctx.now(), serial: this.serial!, status, bridge: this.ctx.bridgeId,
      port: this.port.name, session: this.births, reason: reason === null ? null : reason.slice(0, 200),
    });
  }

  /** The broker is back: publish the retained state afresh (a restarted broker may have lost it). */
  rebirth(): void {
    if (!this.online) return;
    this.publishStatus('online', null);
    if (this.infoPayload) this.ctx.outbox.info(this.infoPayload);
    if (this.countersPayload) this.ctx.outbox.counters(this.countersPayload);
    if (this.calibrationPayload) this.ctx.outbox.calibration(this.calibrationPayload);
  }

  private onEvent(e: PenEvent): void {
    switch (e.id) {
      case 'tlm': {
        const r = e.record;
        this.window?.add(r);
        if (r.t !== undefined) this.setPenTime(r.t);
        if (r.state !== undefined) this.state = (STATE_NAMES[r.state] as StateName | undefined) ?? this.state;
        if (r.fault !== undefined) this.fault = r.fault;
        if (this.ctx.rawStrokes) this.publishStrokes(r);
        return;
      }
      case 'state':
        this.state = e.body.state;
        this.setPenTime(e.body.t);
        if (e.body.state !== 'FAULT') this.fault = 0;
        if (e.body.prev === 'RUNNING' && e.body.state !== 'RUNNING') {
          void this.readCounters(false).catch((err) => this.requestFailed('counters', err));
        }
        return;
      case 'fault':
        this.fault = e.body.code;
        this.setPenTime(e.body.t);
        this.ctx.outbox.fault({
          v: MQTT_PAYLOAD_VERSION, ts: this.ctx.now(), serial: this.serial!, n: ++this.faultN, code: e.body.code,
          name: faultName(e.body.code), ctx: e.body.ctx, source: 'event', penMs: e.body.t, logged: null,
        });
        this.ctx.log('warn', 'pen-fault', `${this.serial} fault ${e.body.code} ${faultName(e.body.code)}: ${e.body.ctx}`, { serial: this.serial!, code: e.body.code });
        return;
      default:
    }
  }

  private publishStrokes(r: TelemetryRecord): void {
    const all = r.t !== undefined && r.setUm !== undefined && r.depthUm !== undefined && r.rate !== undefined && r.duty !== undefined
      && r.mA !== undefined && r.dC !== undefined && r.state !== undefined && r.fault !== undefined && r.warn !== undefined
      && r.inSkin !== undefined && r.n !== undefined;
    if (!all) return;
    const ok = this.ctx.outbox.strokes({
      v: MQTT_PAYLOAD_VERSION, ts: this.ctx.now(), serial: this.serial!, penMs: r.t!, setUm: r.setUm!, depthUm: r.depthUm!, rate: r.rate!,
      duty: r.duty!, mA: r.mA!, dC: r.dC!, state: r.state!, fault: r.fault!, warn: r.warn!, inSkin: r.inSkin!, n: r.n!, depthsUm: r.depths ?? [],
    });
    if (!ok) this.dropped++;
  }

  private summarise(): void {
    if (!this.window || !this.session) return;
    const fig = this.window.close(this.penNow(), this.state, this.fault);
    const ok = this.ctx.outbox.telemetry({
      v: MQTT_PAYLOAD_VERSION, ts: this.ctx.now(), serial: this.serial!, ...fig, linkLost: this.session.client.lostEvents, dropped: this.dropped,
    });
    if (!ok) this.dropped++;
  }

  private async readCounters(force: boolean): Promise<void> {
    const s = this.session;
    if (!s) return;
    const counters = await s.client.getCounters();
    const json = JSON.stringify(counters);
    if (json === this.countersJson && !force) return;
    this.countersJson = json;
    this.countersPayload = { v: MQTT_PAYLOAD_VERSION, ts: this.ctx.now(), serial: this.serial!, ...counters };
    this.ctx.outbox.counters(this.countersPayload);
  }

  private async readCalibration(): Promise<CalibrationSummaryPayload> {
    const cal = await this.session!.client.calRead();
    this.calibrationPayload = calibrationSummary(this.serial!, cal, this.ctx.now());
    this.ctx.outbox.calibration(this.calibrationPayload);
    return this.calibrationPayload;
  }

  /** A fault latched before the bridge met the pen: published once per birth, from the pen's log. */
  private async publishLatchedFault(code: number): Promise<void> {
    const log = await this.session!.client.getFaults();
    const entry = [...log.faults].reverse().find((f) => f.code === code) ?? null;
    this.ctx.outbox.fault({
      v: MQTT_PAYLOAD_VERSION, ts: this.ctx.now(), serial: this.serial!, n: ++this.faultN, code, name: faultName(code),
      ctx: entry?.ctx ?? '', source: 'log', penMs: null, logged: entry,
    });
  }

  /**
   * Carry out an allowed command (one at a time per pen, at most COMMANDS_MAX waiting).
   * Rejects with CommandBusy, or with the pen's error.
   */
  command<K extends BridgeCommand>(name: K): Promise<unknown> {
    if (this.commandsWaiting >= COMMANDS_MAX) return Promise.reject(new CommandBusy(`${COMMANDS_MAX} commands already wait for this pen`));
    this.commandsWaiting++;
    const p = this.commands.then(() => {
      const s = this.session;
      if (!s || !this.online || !this.info) throw new PenOffline();
      const info = this.info;
      const target: CommandTarget = {
        info,
        read: (fn) => s.run(fn(s.client), { limitS: COMMAND_LIMIT_S }),
        publishCalibration: () => s.run(this.readCalibration(), { limitS: COMMAND_LIMIT_S }),
      };
      return runCommand(name, target);
    });
    const done = (): void => { this.commandsWaiting--; };
    this.commands = p.then(done, done);
    return p;
  }
}

export class PenOffline extends Error {
  constructor() {
    super('the pen is offline (its port dropped); try again when its status is online');
  }
}

function faultName(code: number): string {
  return FAULT_NAMES[code] ?? `FAULT_${code}`;
}
