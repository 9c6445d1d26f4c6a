// What uses a bench-build virtual pen (no handset: the bench build only runs host-driven
// runs): a QA bench rig program on the pen's own link, in the same process as the virtual
// pen. It runs the pen in sessions (runs of `runS` at `depth`/`rate`, pauses of `pauseS`);
// with `faultEveryS` it interrupts its own heartbeats (the console drops what the host
// sends for 0.3 s, docs/simulator.md) so the pen latches LINK_LOST; it then clears the
// fault as a technician does (SERVICE with the pen's secret, clearFaults) and carries on.
// The rig is part of the simulated world, not of the bridge: the bridge never starts runs.
import type { PenEvent } from '../../link/pen-client';
import type { SimSession } from '../../cli/port/sim-session';
import type { ClockTimer } from '../../link/clock';

export interface BenchRigOptions {
  runS?: number;
  pauseS?: number;
  depth?: number;
  rate?: number;
  /** Interrupt the heartbeats after this much running, s (default: never). */
  faultEveryS?: number;
}

const DROP_S = 0.3;
const NOTICE_S = 1;

export class BenchRig {
  private timer: ClockTimer | undefined;
  private off: (() => void) | undefined;
  private stopped = false;
  private clearing = false;
  private runBankS = 0;
  /** Heartbeat interruptions made. */
  injections = 0;
  /** Rig steps that failed (a request refused or timed out); the rig carries on. */
  failures = 0;

  constructor(private readonly s: SimSession, private readonly o: BenchRigOptions = {}) {}

  start(): void {
    this.off = this.s.client.onEvent((e) => this.onEvent(e));
    this.at(0.5, () => this.startRun());
  }

  stop(): void {
    this.stopped = true;
    this.off?.();
    this.s.clock.clearTimeout(this.timer);
  }

  private at(s: number, fn: () => Promise<void> | void): void {
    this.s.clock.clearTimeout(this.timer);
    this.timer = this.s.clock.setTimeout(() => {
      if (this.stopped) return;
      Promise.resolve(fn()).catch(() => { this.failures++; this.at(this.o.pauseS ?? 4, () => this.startRun()); });
    }, s * 1000);
  }

  private async startRun(): Promise<void> {
    const runS = this.o.runS ?? 8;
    const every = this.o.faultEveryS;
    const faultIn = every ? Math.max(0.1, every - this.runBankS) : Infinity;
    await this.s.client.startRun({ depth: this.o.depth ?? 1.0, rate: this.o.rate ?? 120, maxS: Math.ceil(runS) + 2 });
    if (faultIn < runS) {
      this.at(faultIn, () => this.interrupt());
    } else {
      this.runBankS += runS;
      this.at(runS, () => this.stopRun());
    }
  }

  private async stopRun(): Promise<void> {
    await this.s.client.stopRun();
    this.at(this.o.pauseS ?? 4, () => this.startRun());
  }

  /** The host's bytes stop reaching the pen for DROP_S: no heartbeat, LINK_LOST. */
  private interrupt(): void {
    this.runBankS = 0;
    this.injections++;
    const console = this.s.pen.board.console;
    console.setFaults({ dropRate: 1, direction: 'to-board' });
    this.s.clock.setTimeout(() => console.setFaults({ dropRate: 0, direction: 'both' }), DROP_S * 1000);
    // the FAULT event replaces this; should the pen not latch, the session goes on
    this.at(DROP_S + 2, () => this.stopRun());
  }

  private onEvent(e: PenEvent): void {
    if (this.stopped || e.id !== 'state') return;
    if (e.body.state === 'FAULT' && !this.clearing) {
      this.clearing = true;
      this.at(NOTICE_S, () => this.clearFault());
    }
  }

  private async clearFault(): Promise<void> {
    const c = this.s.client;
    try {
      await c.enterService(this.s.secret);
      await c.clearFaults();
      await c.leaveService();
    } finally {
      this.clearing = false;
    }
    this.at(this.o.pauseS ?? 4, () => this.startRun());
  }
}
