// --port sim: an in-process virtual pen and its PenClient on one virtual timeline
// (connectSimPen). Time moves only inside run(), which drives the simulator until the
// promise settles; nested run() calls join the one already driving.
import type { Info } from '@stipple/protocol';
import type { HostClock } from '../../link/clock';
import type { PenClient } from '../../link/pen-client';
import { connectSimPen } from '../../sim/connect-sim-pen';
import type { SimLink } from '../../sim/sim-link';
import type { VirtualPen, VirtualPenOptions } from '../../sim/virtual-pen';
import { HOST_NAME } from './host-name';
import { linkFailure } from './link-failure';
import { clockSleep } from './pen-session';
import type { PenSession, RunOptions } from './pen-session';

const RESET_SETTLE_MS = 300;

export class SimSession implements PenSession {
  readonly kind = 'sim' as const;
  readonly port = 'sim';
  readonly clock: HostClock;
  private driving = false;

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

  async run<T>(p: Promise<T>, o: RunOptions = {}): Promise<T> {
    if (this.driving) return p;
    this.driving = true;
    try {
      return await this.link.run(p, { limitS: o.limitS });
    } finally {
      this.driving = false;
    }
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
