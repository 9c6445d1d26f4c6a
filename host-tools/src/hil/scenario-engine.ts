// Runs one scenario's timeline against a rig and records what happened. On the simulator
// every action lands at its exact virtual time, and between the simulator's slices (≤ 5 ms)
// the rig samples the truth the assertions need: true strokes (from the physics' stroke
// trace), the peak protrusion, and, after every fault the pen reports, whether the needle
// is retracted and the drive off. Host commands go out at their time and are not awaited:
// time keeps moving while the pen answers, as it does on a bench. The pen's firmware never
// sees any of the truth; the engine only records, the assertions judge.
import { FAULT_NAMES, STATE_NAMES } from '@stipple/protocol';
import type { RequestId } from '@stipple/protocol';
import { PenError } from '../link/errors';
import type { PenEvent } from '../link/pen-client';
import type { ButtonName } from '../sim/physics/pen-hardware';
import { decodeLed } from './led-decoder';
import { Recording } from './recording';
import type { ActionRecord } from './recording';
import type { SafetySample } from './assertions/outcome';
import type { Rig } from './rig';
import { applyConditions } from './sim-rig';
import { timeOf } from './scenario-schema';
import type { ActionOf, Scenario, ScenarioAction, ScenarioAssertion } from './scenario-schema';

const BUTTON_PIN: Record<string, ButtonName> = {
  run: 'BTN_RUN', speedUp: 'BTN_SPEED_UP', speedDown: 'BTN_SPEED_DOWN', depthUp: 'BTN_DEPTH_UP', depthDown: 'BTN_DEPTH_DOWN',
};

/** After a power-on or reset the host greets the pen again this much later, s. */
const RECONNECT_DELAY_S = 0.05;
/** After the end, outstanding replies get this long (virtual or wall), s. */
const DRAIN_S = 3;
/** Truth is sampled after each fault for this long beyond the longest `latchedForS`, s. */
const SAFETY_MARGIN_S = 0.25;

interface Timed {
  t: number;
  order: number;
  run: () => void;
}


export interface EngineOptions {
  /** The pen's telemetry subscription after each hello. */
  onLog?: (line: string) => void;
}

export class ScenarioEngine {
  readonly rec = new Recording();
  private t0 = 0;
  private readonly queue: Timed[] = [];
  private order = 0;
  private outstanding = 0;
  private lastSeq = 0;
  private resetsSeen = 0;
  private heldInBrownout = false;
  private reconnecting = false;
  private hostRunSince: number | undefined;
  private runningSince: number | undefined;
  /** truth windows after fault events: [from, to] scenario s, and what was sampled */
  private readonly watch: { from: number; to: number; samples: SafetySample[]; latchT: number; code: number }[] = [];
  private readonly safetyS: number;

  constructor(private readonly scenario: Scenario, private readonly rig: Rig) {
    let longest = 1;
    for (const a of scenario.assert) if ('fault' in a) longest = Math.max(longest, a.fault.latchedForS + a.fault.safeWithinMs / 1000);
    this.safetyS = longest + SAFETY_MARGIN_S;
  }

  /** Scenario time now, s. */
  private now(): number {
    return this.rig.now() - this.t0;
  }

  async run(): Promise<Recording> {
    const { rig, scenario, rec } = this;
    const client = rig.client;
    client.onEvent((e) => this.onEvent(e));
    client.onProblem((e) => rec.problems.push({ t: this.now(), msg: e.message }));
    const sim = rig.sim;
    if (sim) {
      applyConditions(sim.hw, scenario.conditions);
      this.resetsSeen = sim.board.resets.length;
    }
    // the start: telemetry subscription and, when an assertion compares with it, the calibration record
    await this.settle(this.subscribe(), 'subscribe');
    if (scenario.assert.some((a) => 'calibration' in a && a.calibration.sameAsStart)) {
      const r = await this.settle(client.calRead(), 'calRead');
      rec.startCalibration = r?.cal ? JSON.stringify(r.cal) : undefined;
    }
    this.t0 = rig.now();
    if (sim) {
      sim.hw.traces.sink = (s) => rec.strokes.push(s.time - this.t0, Math.round(s.bottomMm * 1000) / 1000, s.inSkin);
    }
    for (const a of scenario.timeline) this.at(a.at, () => this.act(a));
    scenario.assert.forEach((a, i) => this.probeFor(a, i));
    const end = scenario.duration;
    rec.end = end;
    this.queue.sort((a, b) => a.t - b.t || a.order - b.order);
    const wall0 = Date.now();
    try {
      while (this.queue.length > 0 || this.now() < end) {
        const next = this.queue.length > 0 ? Math.min(this.queue[0]!.t, end) : end;
        await rig.advanceTo(this.t0 + next, () => this.tick());
        while (this.queue.length > 0 && this.queue[0]!.t <= this.now() + 1e-9) this.queue.shift()!.run();
        if (this.queue.length === 0 && this.now() >= end) break;
        if (this.queue.length > 0 && this.queue[0]!.t > end) this.queue.length = 0;
      }
      // let what is in flight come back (counted as after the end)
      const drainTo = this.now() + DRAIN_S;
      while ((this.outstanding > 0 || this.reconnecting) && this.now() < drainTo) {
        await rig.advanceTo(this.rig.now() + 0.05, () => this.tick());
        while (this.queue.length > 0 && this.queue[0]!.t <= this.now() + 1e-9) this.queue.shift()!.run();
      }
    } finally {
      if (sim) sim.hw.traces.sink = null;
      rec.wallMs = Date.now() - wall0;
    }
    const armed = this.powerLossRec;
    if (armed && armed.ok === undefined) {
      // the firmware wrote fewer bytes than the scenario let through: what it meant to test never ran
      armed.ok = false;
      armed.replyT = this.now();
      armed.reply = 'it never happened: fewer flash bytes were written after it was armed';
    }
    this.closeIntervals();
    this.finishSafety();
    return rec;
  }

  // ------------------------------------------------------------ scheduling

  private at(t: number, run: () => void): void {
    this.queue.push({ t, order: this.order++, run });
    // keep it sorted when added while running
    this.queue.sort((a, b) => a.t - b.t || a.order - b.order);
  }

  /** Between slices: resets and brown-outs, truth sampling. True when a timeline entry is due (stop advancing). */
  private tick(): boolean {
    this.sample();
    return this.queue.length > 0 && this.queue[0]!.t <= this.now() + 1e-9;
  }

  private sample(): void {
    const sim = this.rig.sim;
    if (!sim) return;
    const { hw, board } = sim;
    const t = this.now();
    // a brown-out holds the MCU in reset until the supply recovers (docs/simulator.md: the board should reset)
    if (hw.power.takeBrownout() && board.powered) {
      this.heldInBrownout = true;
      board.powerOff();
      this.rec.resets.push({ t, reason: 'brown-out' });
    }
    if (this.heldInBrownout && !hw.power.inBrownout()) {
      this.heldInBrownout = false;
      board.powerOn();
    }
    if (board.resets.length !== this.resetsSeen) {
      for (const r of board.resets.slice(this.resetsSeen)) this.rec.resets.push({ t: r.time - this.t0, reason: r.reason });
      this.resetsSeen = board.resets.length;
      this.onReset();
    }
    const p = hw.gauge.protrusionMm();
    if (p > this.rec.peakProtrusion.mm) { this.rec.peakProtrusion.mm = p; this.rec.peakProtrusion.t = t; }
    this.rec.consoleBytes.push([t, board.console.stats.bytesToHost]);
    if (this.rec.consoleBytes.length > 4096) this.thinConsole();
    for (const w of this.watch) {
      if (t >= w.from - 1e-9 && t <= w.to) w.samples.push({ t, protrusionMm: p, driveWhy: this.driveOnWhy() });
    }
  }

  /** Keep every other console sample (a long soak): bytes/s over windows stays exact at the ends. */
  private thinConsole(): void {
    const c = this.rec.consoleBytes;
    const kept = c.filter((_, i) => i % 2 === 0 || i === c.length - 1);
    c.length = 0;
    c.push(...kept);
  }

  /** Why the drive counts as on right now ('' when off): the drive pins, the coil current. */
  private driveOnWhy(): string {
    const sim = this.rig.sim!;
    if (!sim.board.powered) return '';
    const why: string[] = [];
    for (const role of ['DRIVE_PWM', 'DRIVE_PHASE'] as const) {
      // a pin drives what its mode says: a PWM while in an alternate-function mode (analogWrite), else its level
      const s = sim.board.pinState(sim.pins[role]);
      if (!s) continue;
      if (s.mode.startsWith('af_')) { if (s.duty > 0) why.push(`${role} PWM ${s.duty.toFixed(2)} at ${s.freq} Hz`); }
      else if (s.mode !== 'input' && s.mode !== 'analog' && s.value) why.push(`${role} high`);
    }
    const i = sim.hw.drive.coilCurrentA();
    if (sim.hw.variant === 'voiceCoil' && Math.abs(i) > 0.05) why.push(`coil ${i.toFixed(2)} A`);
    return why.join(', ');
  }

  private onReset(): void {
    const sim = this.rig.sim!;
    this.rig.client.resetLink();
    this.lastSeq = 0;
    this.endRunning(this.now());
    this.hostRunSince = undefined;
    if (sim.board.powered) this.reconnectSoon();
    else if (this.pendingRestore !== undefined && sim.board.storage.powerLost) {
      // the armed power loss happened (the flash cut it, not a power-off for another
      // reason, which leaves it armed): the power comes back after the given time
      const back = this.now() + this.pendingRestore;
      this.pendingRestore = undefined;
      const armed = this.powerLossRec;
      if (armed) { armed.ok = true; armed.replyT = this.now(); armed.reply = 'the power died'; }
      sim.board.storage.failAfterBytes(undefined); // the injection is spent: the next boot writes normally
      this.at(back, () => { sim.board.powerOn(); this.rec.actions.push({ at: back, what: 'power restored after the power loss' }); });
    }
  }

  private pendingRestore: number | undefined;
  /** the timeline's armed power loss: a check that it happened (evalHostReplies judges it like a reply) */
  private powerLossRec: ActionRecord | undefined;

  private reconnectSoon(): void {
    if (this.reconnecting) return;
    this.reconnecting = true;
    this.at(this.now() + RECONNECT_DELAY_S, () => {
      void (async () => {
        try {
          await this.rig.client.connect();
          await this.subscribe();
        } catch (e) {
          if (this.rig.sim?.board.powered !== false) this.rec.problems.push({ t: this.now(), msg: `reconnect after reset: ${(e as Error).message}` });
        } finally {
          this.reconnecting = false;
        }
      })();
    });
  }

  private async subscribe(): Promise<void> {
    const tlm = this.scenario.host.telemetry;
    if (tlm) await this.rig.client.subscribeTelemetry({ every: tlm.every, perStroke: tlm.perStroke });
  }

  /** Await a setup request on the rig's time. */
  private async settle<T>(p: Promise<T>, what: string): Promise<T | undefined> {
    let done = false;
    let value: T | undefined;
    let err: unknown;
    p.then((v) => { done = true; value = v; }, (e) => { done = true; err = e; });
    const limit = this.rig.now() + 5;
    while (!done && this.rig.now() < limit) await this.rig.advanceTo(this.rig.now() + 0.01, () => done);
    if (!done) throw new Error(`${what}: no reply from the pen`);
    if (err) throw new Error(`${what}: ${(err as Error).message}`);
    return value;
  }

  // ------------------------------------------------------------ events from the pen

  private onEvent(e: PenEvent): void {
    const t = this.now();
    const rec = this.rec;
    if (this.lastSeq && e.seq > this.lastSeq + 1) rec.lostEvents.push({ t, msg: `${e.seq - this.lastSeq - 1} event(s) lost before seq ${e.seq}` });
    this.lastSeq = e.seq;
    if (e.id === 'tlm') {
      rec.telemetry.push(t, e.record);
      const r = e.record;
      if (r.depths && r.n !== undefined && r.depths.length !== r.n) rec.badRecords.push({ t, msg: `record of ${r.n} strokes carries ${r.depths.length} depths` });
      return;
    }
    const latchT = e.id === 'fault' && this.rig.sim ? e.body.t / 1000 - this.t0 : t;
    rec.events.push({ t, id: e.id, seq: e.seq, body: e.body, ...(e.id === 'fault' ? { latchT } : {}) } as never);
    if (e.id === 'state') {
      if (e.body.state === 'RUNNING') this.runningSince ??= t;
      else if (e.body.prev === 'RUNNING') this.endRunning(t);
      if (e.body.state !== 'SERVICE' && this.hostRunSince !== undefined) this.endHostRun(t);
    }
    if (e.id === 'fault') {
      this.endRunning(t);
      if (this.hostRunSince !== undefined) this.endHostRun(t);
      if (this.rig.sim) this.watchSafety(latchT, e.body.code);
    }
  }

  private endRunning(t: number): void {
    if (this.runningSince !== undefined) this.rec.running.push([this.runningSince, t]);
    this.runningSince = undefined;
  }

  private endHostRun(t: number): void {
    if (this.hostRunSince !== undefined) this.rec.running.push([this.hostRunSince, t]);
    this.hostRunSince = undefined;
  }

  private closeIntervals(): void {
    const end = Math.min(this.now(), this.scenario.duration);
    this.endRunning(end);
    this.endHostRun(end);
    this.rec.running.sort((a, b) => a[0] - b[0]);
  }

  /** Sample the truth from the latch until `safetyS` after it. */
  private watchSafety(latchT: number, code: number): void {
    this.watch.push({ from: latchT, to: latchT + this.safetyS, samples: [], latchT, code });
  }

  private finishSafety(): void {
    for (const w of this.watch) {
      const s = w.samples;
      const first = s[0];
      const last = s[s.length - 1];
      this.rec.safety.push({
        latchT: w.latchT, code: w.code,
        t: first?.t ?? NaN, protrusionMm: first?.protrusionMm ?? NaN, driveOff: first ? first.driveWhy === '' : false, driveWhy: first?.driveWhy ?? 'not sampled',
        laterT: last?.t, laterProtrusionMm: last?.protrusionMm, laterDriveOff: last ? last.driveWhy === '' : undefined, laterDriveWhy: last?.driveWhy,
      });
      this.safetySamples.set(this.rec.safety.length - 1, s);
    }
  }

  /** Every truth sample after each latch, by index into rec.safety (for the fault assertion). */
  readonly safetySamples = new Map<number, SafetySample[]>();

  // ------------------------------------------------------------ actions

  private act(a: ScenarioAction): void {
    const t = this.now();
    const rec: ActionRecord = { at: a.at, what: describeAction(a), label: a.label };
    this.rec.actions.push(rec);
    const sim = this.rig.sim;
    if ('host' in a) return this.host(a, rec);
    if (!sim) { rec.ok = false; rec.reply = 'needs the simulator'; return; }
    const { hw, board } = sim;
    const abs = this.t0 + t;
    if ('press' in a) hw.handset.press(BUTTON_PIN[a.press]!, a.ms, abs);
    else if ('hold' in a) hw.handset.hold(BUTTON_PIN[a.hold]!, abs);
    else if ('release' in a) hw.handset.release(BUTTON_PIN[a.release]!, abs);
    else if ('handset' in a) {
      if (a.handset === 'nextPreset') {
        hw.handset.hold('BTN_SPEED_UP', abs);
        hw.handset.hold('BTN_DEPTH_UP', abs + 0.05);
        hw.handset.release('BTN_SPEED_UP', abs + 0.3);
        hw.handset.release('BTN_DEPTH_UP', abs + 0.3);
      } else if (a.handset === 'clearFault') {
        hw.handset.hold('BTN_SPEED_DOWN', abs);
        hw.handset.hold('BTN_DEPTH_DOWN', abs);
        hw.handset.release('BTN_SPEED_DOWN', abs + 2.5);
        hw.handset.release('BTN_DEPTH_DOWN', abs + 2.5);
      } else hw.handset.press('BTN_RUN', 1500, abs);
    } else if ('pedal' in a) {
      if (a.pedal === 'down' || a.pedal === 'tap') hw.handset.pedalDown(abs);
      if (a.pedal === 'up') hw.handset.pedalUp(abs);
      if (a.pedal === 'tap') hw.handset.pedalUp(abs + 0.1);
    } else if ('cartridge' in a) {
      const opts = a.offsetMm !== undefined ? { offsetMm: a.offsetMm } : undefined;
      if (a.cartridge === 'remove' || a.cartridge === 'swap') hw.handset.removeCartridge(abs);
      if (a.cartridge === 'insert') hw.handset.insertCartridge(abs, opts);
      if (a.cartridge === 'swap') hw.handset.insertCartridge(abs + 1, opts);
    } else if ('set' in a) applyConditions(hw, a.set);
    else if ('inject' in a) hw.faults.inject(a.inject, a.params as never, abs);
    else if ('remove' in a) hw.faults.clear(a.remove, abs);
    else if ('link' in a) board.console.setFaults(a.link);
    else if ('power' in a) {
      if (a.power === 'off' || a.power === 'cycle') board.powerOff();
      if (a.power === 'on') board.powerOn();
      if (a.power === 'cycle') this.at(t + 0.5, () => board.powerOn());
    } else if ('powerLoss' in a) {
      rec.expected = 'the power dies';
      this.powerLossRec = rec;
      this.pendingRestore = a.powerLoss.restoreAfterS;
      board.storage.failAfterBytes(a.powerLoss.afterBytes);
    }
  }

  private host(a: ActionOf<'host'>, rec: ActionRecord): void {
    rec.expected = a.expect;
    const p = this.request(a.host, a.body);
    this.outstanding++;
    p.then(
      (reply) => {
        rec.replyT = this.now();
        rec.reply = 'ok' + (reply === undefined ? '' : ` ${JSON.stringify(reply).slice(0, 160)}`);
        rec.ok = a.expect === 'ok' || a.expect === 'any';
        if (a.host === 'startRun') this.hostRunSince ??= rec.replyT;
        if (a.host === 'stopRun') this.endHostRun(rec.replyT);
      },
      (e: unknown) => {
        rec.replyT = this.now();
        const code = e instanceof PenError ? e.code : 'ERROR';
        rec.reply = `${code}: ${(e as Error).message}`.slice(0, 200);
        rec.ok = a.expect === code || a.expect === 'any';
      },
    ).finally(() => { this.outstanding--; });
  }

  private request(cmd: ActionOf<'host'>['host'], body: Record<string, unknown>): Promise<unknown> {
    const client = this.rig.client;
    switch (cmd) {
      case 'enterService':
        if (!this.rig.secret) return Promise.reject(new Error('the rig does not know this pen\'s technician secret (--secret)'));
        return client.enterService(this.rig.secret);
      case 'leaveService': return client.leaveService();
      case 'startRun': return client.startRun(body as never);
      case 'stopRun': return client.stopRun();
      case 'calWriteSame':
        return client.calRead().then((r) => {
          if (!r.cal) throw new PenError('NOT_ALLOWED', `calWriteSame: the pen has no calibration (${r.status})`);
          return client.calWrite(r.cal);
        });
      case 'reboot': {
        const p = client.reboot();
        const serial = this.rig as Rig & { afterReset?: () => Promise<void> };
        if (!this.rig.sim && serial.afterReset) {
          return p.then(async () => {
            await serial.afterReset!();
            await client.connect();
            await this.subscribe();
          });
        }
        return p;
      }
      default:
        return client.request(cmd as RequestId, body as never);
    }
  }

  // ------------------------------------------------------------ probes for assertions

  private probeFor(a: ScenarioAssertion, i: number): void {
    const end = this.scenario.duration;
    const store = (p: Promise<unknown>, t: number): void => {
      this.outstanding++;
      p.then((value) => this.rec.probes.set(i, { t, value }), (e: unknown) => this.rec.probes.set(i, { t, error: (e as Error).message }))
        .finally(() => { this.outstanding--; });
    };
    const client = this.rig.client;
    if ('state' in a) {
      const t = timeOf(a.state.at, end);
      this.at(t, () => store(client.status(), t));
    } else if ('counters' in a) {
      const t = timeOf(a.counters.at, end);
      this.at(t, () => store(client.getCounters(), t));
    } else if ('calibration' in a) {
      const t = timeOf(a.calibration.at, end);
      this.at(t, () => store(client.calRead(), t));
    } else if ('faultLog' in a) {
      const t = timeOf(a.faultLog.at, end);
      this.at(t, () => store(client.getFaults(), t));
    } else if ('led' in a) {
      const t = timeOf(a.led.at, end);
      this.at(t, () => {
        const sim = this.rig.sim;
        if (!sim) return;
        this.rec.probes.set(i, { t, value: decodeLed(sim.hw.leds.history(), this.t0 + t) });
      });
    } else if ('memory' in a) {
      const t = timeOf(a.memory.at, end);
      this.at(t, () => {
        const sim = this.rig.sim;
        if (!sim) return;
        this.rec.probes.set(i, { t, value: sim.board.powered ? sim.board.memory().usage : null });
      });
    }
  }
}

/** An action in words, for reports. */
export function describeAction(a: ScenarioAction): string {
  if ('press' in a) return `press ${a.press} (${a.ms} ms)`;
  if ('hold' in a) return `hold ${a.hold}`;
  if ('release' in a) return `release ${a.release}`;
  if ('handset' in a) return `handset ${a.handset}`;
  if ('pedal' in a) return `pedal ${a.pedal}`;
  if ('cartridge' in a) return `cartridge ${a.cartridge}`;
  if ('set' in a) return `set ${JSON.stringify(a.set)}`;
  if ('inject' in a) return `inject ${a.inject}${Object.keys(a.params).length ? ' ' + JSON.stringify(a.params) : ''}`;
  if ('remove' in a) return `remove ${a.remove}`;
  if ('host' in a) return `host ${a.host}${Object.keys(a.body).length ? ' ' + JSON.stringify(a.body) : ''}`;
  if ('link' in a) return `link ${JSON.stringify(a.link)}`;
  if ('power' in a) return `power ${a.power}`;
  return `power loss after ${a.powerLoss.afterBytes} flash bytes`;
}

/** Fault code → name. */
export function faultName(code: number): string {
  return FAULT_NAMES[code] ?? `fault ${code}`;
}

export { STATE_NAMES };
