// --port sim: an in-process virtual pen and its PenClient on one virtual timeline
// (connectSimPen). Time moves only inside run(), which drives the simulator until the
// promise settles; overlapping or nested run() calls share one driver.
import type { Info } from '@stipple/protocol';
import type { HostClock } from '../../link/clock';
import type { PenClient } from '../../link/pen-client';
import { connectSimPen } from '../../sim/connect-sim-pen';
import { SimLinkTimeout } from '../../sim/sim-link';
import type { SimLink } from '../../sim/sim-link';
import type { VirtualPen, VirtualPenOptions } from '../../sim/virtual-pen';
import { HOST_NAME } from './host-name';
import { linkFailure } from './link-failure';
import { clockSleep } from './pen-session';
import type { PenSession, RunOptions } from './pen-session';

const RESET_SETTLE_MS = 300;
/** Virtual-time limit of run() unless told otherwise, s (SimLink's default). */
const DEFAULT_LIMIT_S = 60;

interface Waiter {
  /** Virtual time by which the caller's promise must settle, s. */
  deadline: number;
  limitS: number;
  fail: (e: unknown) => void;
}

export class SimSession implements PenSession {
  readonly kind = 'sim' as const;
  readonly port = 'sim';
  readonly clock: HostClock;
  /** An in-process pen cannot go away. */
  readonly lost = new Promise<string>(() => undefined);
  private driving = false;
  private readonly waiting = new Set<Waiter>();
  private speed: number | undefined;
  private pace0 = { virtualS: 0, wallMs: 0 };

  constructor(readonly pen: VirtualPen, readonly link: SimLink, readonly client: PenClient, public info: Info | undefined) {
    this.clock = link.clock;
  }

  /** A powered, greeted virtual pen. */
  static async open(opts: VirtualPenOptions): Promise<SimSession> {
    try {
      const c = await connectSimPen({ ...opts, client: { hostName: HOST_NAME } });
      return new SimSession(c.pen, c.link, c.client, c.info);
    } catch (e) {
      throw linkFailure(e, 'sim');
    }
  }

  get secret(): string {
    return this.pen.secret;
  }

  /**
   * Await `p` while the simulator runs. Calls may overlap or nest in any order: one driver
   * runs the link while any caller still waits, and each caller gets its own limit.
   */
  run<T>(p: Promise<T>, o: RunOptions = {}): Promise<T> {
    const limitS = o.limitS ?? DEFAULT_LIMIT_S;
    let fail: (e: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => { fail = reject; });
    const w: Waiter = { deadline: this.link.now + limitS, limitS, fail };
    this.waiting.add(w);
    const done = (): void => { this.waiting.delete(w); };
    p.then(done, done);
    void this.drive();
    return Promise.race([p, failed]);
  }

  private async drive(): Promise<void> {
    if (this.driving) return;
    this.driving = true;
    try {
      while (this.waiting.size > 0) {
        const firstDeadline = (): number => Math.min(...[...this.waiting].map((w) => w.deadline));
        try {
          await this.link.until(() => this.waiting.size === 0 || this.link.now >= firstDeadline() || this.ahead(), { limitS: Infinity });
          if (this.ahead()) await new Promise((r) => setTimeout(r, 5));
        } catch (e) {
          for (const w of this.waiting) w.fail(e); // the simulation itself failed
          this.waiting.clear();
          return;
        }
        for (const w of [...this.waiting]) {
          if (this.link.now < w.deadline) continue;
          this.waiting.delete(w);
          w.fail(new SimLinkTimeout(`SimLink: the promise did not settle within ${w.limitS} s of virtual time (virtual time ${this.link.now.toFixed(3)} s)`, this.link.now));
        }
      }
    } finally {
      this.driving = false;
    }
  }

  /**
   * Pace the simulation to the wall clock times `speed` (for a live view a person
   * watches), or undefined to run as fast as it goes (default).
   */
  pace(speed: number | undefined): void {
    this.speed = speed;
    this.pace0 = { virtualS: this.link.now, wallMs: Date.now() };
  }

  /** Virtual time is ahead of the paced wall clock. */
  private ahead(): boolean {
    return this.speed !== undefined && this.link.now - this.pace0.virtualS > ((Date.now() - this.pace0.wallMs) / 1000) * this.speed;
  }

  sleep(ms: number): Promise<void> {
    return clockSleep(this.clock, ms);
  }

  async hello(): Promise<Info> {
    try {
      this.info = await this.run(this.client.connect());
      return this.info;
    } catch (e) {
      throw linkFailure(e, this.port);
    }
  }

  async afterReset(): Promise<void> {
    await this.run(this.sleep(RESET_SETTLE_MS));
    this.client.resetLink();
    this.info = undefined;
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.link.close();
  }
}
