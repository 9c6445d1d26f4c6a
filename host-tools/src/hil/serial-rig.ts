// The serial rig: a real pen (or a PTY from `stipple sim --pty`) on the wall clock. It has
// only the host link: no simulator control and no ground truth, so the runner gives it
// only the scenarios that need neither (see target-support.ts).
import { SerialSession } from '../cli/port/serial-session';
import type { Rig } from './rig';

/** Step of the wall clock between ticks, ms. */
const TICK_MS = 20;

class SerialRig implements Rig {
  readonly kind = 'serial' as const;
  readonly sim = undefined;

  constructor(private readonly s: SerialSession) {}

  get where(): string {
    return this.s.port;
  }

  get client() {
    return this.s.client;
  }

  get secret(): string | undefined {
    return this.s.secret;
  }

  now(): number {
    return Date.now() / 1000;
  }

  async advanceTo(t: number, tick: () => boolean): Promise<void> {
    for (;;) {
      if (tick()) return;
      const left = t - this.now();
      if (left <= 0) return;
      await this.s.sleep(Math.min(TICK_MS, left * 1000));
    }
  }

  /** The pen was reset by a command: drain, forget what was in flight, reopen a USB port that went away. */
  afterReset(): Promise<void> {
    return this.s.afterReset();
  }

  close(): Promise<void> {
    return this.s.close();
  }
}

/** Open the pen on a serial port and greet it. */
export async function openSerialRig(path: string, secret?: string): Promise<Rig & { afterReset(): Promise<void> }> {
  const s = await SerialSession.open(path, secret);
  try {
    await s.hello();
  } catch (e) {
    await s.close().catch(() => undefined);
    throw e;
  }
  return new SerialRig(s);
}
