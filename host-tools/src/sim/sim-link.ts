// SimLink: host code and a virtual pen on ONE virtual timeline, in one process.
//
// The driver owns the pen's console as a ByteTransport (`transport`) and a virtual
// HostClock (`clock`) for the host's timers (PenClient timeouts, heartbeats, polls). Host
// code never waits on the wall clock: it hands its promise to `run()`, which advances the
// board in slices (≤ `sliceS`, never past the next host timer, ended within 1 ms of the pen
// writing anything), delivers the pen's output,
// fires due host timers and yields to Node's event loop (setImmediate) between slices so
// the host's promise chains settle, until the promise settles. The host therefore sees
// the pen as fast as the simulation runs, yet every timeout and heartbeat is in virtual
// time. A virtual-time limit per call turns a host that waits for something the pen never
// sends into a clear error instead of a silent hang.
import { performance } from 'node:perf_hooks';
import type { VirtualBoard } from './board';
import type { VirtualPen } from './virtual-pen';
import { SimConsoleTransport } from './sim-console-transport';
import { VirtualHostClock } from './virtual-host-clock';

export interface SimLinkOptions {
  /** Longest step of virtual time between deliveries to the host, s (default 0.005). */
  sliceS?: number;
  /** Default virtual-time limit of run() and until(), s (default 60). */
  limitS?: number;
}

export interface SimRunOptions {
  /** Give up after this much virtual time, s (default: the link's limitS). */
  limitS?: number;
}

/** run()/until() reached its virtual-time limit. */
export class SimLinkTimeout extends Error {
  constructor(message: string, readonly virtualTimeS: number) {
    super(message);
    this.name = 'SimLinkTimeout';
  }
}

export interface SimLinkStats {
  /** Slices of virtual time run. */
  slices: number;
  /** Host timers fired. */
  timers: number;
  /** Chunks of console output delivered to the host. */
  deliveries: number;
  /** Wall time spent inside the board (the rest of a run's wall time is the link's and the host's), ms. */
  boardMs: number;
}

/** Granularity at which a slice checks for output from the pen, s. */
const STEP_S = 0.001;

const yieldToNode = (): Promise<void> => new Promise((r) => setImmediate(r));

export class SimLink {
  readonly board: VirtualBoard;
  /** The host's clock: pass it to PenClient (`{ clock: link.clock }`). */
  readonly clock: VirtualHostClock;
  /** The pen's console as the host's ByteTransport. */
  readonly transport: SimConsoleTransport;
  readonly stats: SimLinkStats = { slices: 0, timers: 0, deliveries: 0, boardMs: 0 };
  private readonly sliceS: number;
  private readonly limitS: number;
  private driving = false;

  constructor(readonly pen: VirtualPen, opts: SimLinkOptions = {}) {
    this.board = pen.board;
    this.sliceS = opts.sliceS ?? 0.005;
    this.limitS = opts.limitS ?? 60;
    if (!(this.sliceS > 0)) throw new Error('SimLink: sliceS must be > 0');
    this.clock = new VirtualHostClock(() => this.board.now);
    this.transport = new SimConsoleTransport(this.board.console);
  }

  /** Virtual time, s. */
  get now(): number {
    return this.board.now;
  }

  /** Run the sim until `p` settles; resolves or rejects as `p` does. SimLinkTimeout after the limit. */
  async run<T>(p: Promise<T>, o: SimRunOptions = {}): Promise<T> {
    let settled = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    p.then(
      (v) => { settled = true; value = v; },
      (e) => { settled = true; failed = true; error = e; },
    );
    const limit = o.limitS ?? this.limitS;
    await this.drive(() => settled, this.board.now + limit, `the promise did not settle within ${limit} s of virtual time`);
    if (failed) throw error;
    return value as T;
  }

  /** Run the sim until `cond()` is true (checked between slices). SimLinkTimeout after the limit. */
  async until(cond: () => boolean, o: SimRunOptions = {}): Promise<void> {
    const limit = o.limitS ?? this.limitS;
    await this.drive(cond, this.board.now + limit, `the condition did not become true within ${limit} s of virtual time`);
  }

  /** Run the sim for `seconds` of virtual time, host timers and deliveries included. */
  async advance(seconds: number): Promise<void> {
    await this.drive(() => false, this.board.now + Math.max(0, seconds), null);
  }

  /** Detach from the console (the pen keeps running if driven otherwise). */
  async close(): Promise<void> {
    await this.transport.close();
  }

  private async drive(done: () => boolean, endS: number, limitMessage: string | null): Promise<void> {
    if (this.driving) throw new Error('SimLink: run/until/advance is already in progress; await it before starting another');
    this.driving = true;
    try {
      for (;;) {
        if (this.transport.flush()) this.stats.deliveries++;
        await yieldToNode();
        // host timers due now, each followed by a yield so what it started settles in order
        while (this.clock.fireOne()) {
          this.stats.timers++;
          await yieldToNode();
        }
        if (done()) return;
        const now = this.board.now;
        if (now >= endS) {
          if (limitMessage === null) return;
          throw new SimLinkTimeout(`SimLink: ${limitMessage} (virtual time ${now.toFixed(3)} s)`, now);
        }
        // a slice ends early (at 1 ms granularity) once the pen has said something, so
        // replies reach the host within ~1 ms of virtual time while idle slices stay long
        const target = Math.min(now + this.sliceS, this.clock.nextDueS(), endS);
        const w0 = performance.now();
        do this.board.runUntil(Math.min(this.board.now + STEP_S, target));
        while (this.board.now < target && !this.transport.holding);
        this.stats.boardMs += performance.now() - w0;
        this.stats.slices++;
      }
    } finally {
      this.driving = false;
    }
  }
}
