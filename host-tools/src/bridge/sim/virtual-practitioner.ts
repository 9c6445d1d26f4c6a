// Somebody using a virtual pen (device build), so that a bridged virtual pen has something
// to report: a practitioner works in sessions on the foot pedal (runs of `runS`, pauses of
// `pauseS`), and when the pen latches a fault takes the foot off, puts right what caused it
// and clears it on the handset (both "−" buttons held 2 s), as docs/safety.md says a person
// does. Optionally a fault is injected every `faultEveryS` of running (docs/simulator.md:
// cartridge pulled, Hall sensor disconnected, needle jammed, in turn). All on the virtual
// pen's own clock, through its hardware: the bridge never starts anything.
import type { PenEvent } from '../../link/pen-client';
import type { SimSession } from '../../cli/port/sim-session';
import type { ClockTimer } from '../../link/clock';
import type { FaultKind } from '../../sim/physics/pen-hardware';

export interface PractitionerOptions {
  /** Pedal held this long per run, s (default 8). */
  runS?: number;
  /** Pause between runs, s (default 4). */
  pauseS?: number;
  /** Inject a fault after this much running, s (default: never). */
  faultEveryS?: number;
}

/** What the practitioner notices and how long putting it right takes, s. */
const NOTICE_S = 1.5;
const CLEAR_HOLD_S = 2.2;
const INJECTED: FaultKind[] = ['cartridgePulled', 'hallDisconnected', 'jam'];

export class VirtualPractitioner {
  private timer: ClockTimer | undefined;
  private faultTimer: ClockTimer | undefined;
  private off: (() => void) | undefined;
  private pedal = false;
  private clearing = false;
  private stopped = false;
  private injected: FaultKind | undefined;
  private nextKind = 0;
  private runningSinceMs: number | undefined;
  private runBankS = 0;
  /** Faults this practitioner injected. */
  injections = 0;

  constructor(private readonly s: SimSession, private readonly o: PractitionerOptions = {}) {}

  start(): void {
    this.off = this.s.client.onEvent((e) => this.onEvent(e));
    this.at(0.5, () => this.pedalDown());
  }

  stop(): void {
    this.stopped = true;
    this.off?.();
    this.s.clock.clearTimeout(this.timer);
    this.s.clock.clearTimeout(this.faultTimer);
    if (this.pedal) this.s.pen.hardware.handset.pedalUp();
    this.pedal = false;
  }

  private get hw() {
    return this.s.pen.hardware;
  }

  private at(s: number, fn: () => void): void {
    this.s.clock.clearTimeout(this.timer);
    this.timer = this.s.clock.setTimeout(() => { if (!this.stopped) fn(); }, s * 1000);
  }

  private pedalDown(): void {
    this.pedal = true;
    this.hw.handset.pedalDown();
    this.at(this.o.runS ?? 8, () => this.pedalUp());
  }

  private pedalUp(): void {
    this.pedal = false;
    this.hw.handset.pedalUp();
    this.at(this.o.pauseS ?? 4, () => this.pedalDown());
  }

  private onEvent(e: PenEvent): void {
    if (this.stopped || e.id !== 'state') return;
    const now = this.s.clock.now();
    if (e.body.state === 'RUNNING' && e.body.prev !== 'RUNNING') {
      this.runningSinceMs = now;
      this.armFault();
    } else if (e.body.prev === 'RUNNING' && e.body.state !== 'RUNNING') {
      if (this.runningSinceMs !== undefined) this.runBankS += (now - this.runningSinceMs) / 1000;
      this.runningSinceMs = undefined;
      this.s.clock.clearTimeout(this.faultTimer);
    }
    if (e.body.state === 'FAULT' && !this.clearing) {
      this.clearing = true;
      this.at(NOTICE_S, () => this.putRight());
    }
  }

  /** Inject the next fault once the running time since the last one reaches faultEveryS. */
  private armFault(): void {
    const every = this.o.faultEveryS;
    if (!every) return;
    const left = Math.max(0.05, every - this.runBankS);
    this.s.clock.clearTimeout(this.faultTimer);
    this.faultTimer = this.s.clock.setTimeout(() => {
      if (this.stopped) return;
      this.runBankS = 0;
      this.runningSinceMs = this.s.clock.now();
      const kind = INJECTED[this.nextKind++ % INJECTED.length]!;
      this.injected = kind;
      this.injections++;
      this.hw.faults.inject(kind);
    }, left * 1000);
  }

  /** Foot off, the cause removed (cartridge back in, sensor reconnected…), fault cleared on the handset. */
  private putRight(): void {
    if (this.pedal) { this.pedal = false; this.hw.handset.pedalUp(); }
    if (this.injected) { this.hw.faults.clear(this.injected); this.injected = undefined; }
    this.hw.handset.hold('BTN_SPEED_DOWN');
    this.hw.handset.hold('BTN_DEPTH_DOWN');
    this.at(CLEAR_HOLD_S, () => {
      this.hw.handset.release('BTN_SPEED_DOWN');
      this.hw.handset.release('BTN_DEPTH_DOWN');
      this.clearing = false;
      this.at(this.o.pauseS ?? 4, () => this.pedalDown());
    });
  }
}
