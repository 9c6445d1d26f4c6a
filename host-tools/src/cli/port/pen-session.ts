// One abstraction over "the pen on --port", so that commands do not care whether it is a
// serial port (a real pen, or a PTY served by `stipple sim --pty`) or an in-process
// virtual pen (`--port sim`). The one rule for commands: put every promise that waits on
// the pen inside `session.run(...)` — identity on a serial port, the simulator's driver
// on a virtual pen (whose time only moves while something runs it).
import type { Info } from '@stipple/protocol';
import type { HostClock } from '../../link/clock';
import type { PenClient } from '../../link/pen-client';

export interface RunOptions {
  /** Virtual-time limit on a simulated pen, s (default 60; Infinity for an open-ended monitor). Ignored on a serial port. */
  limitS?: number;
}

export interface PenSession {
  readonly kind: 'serial' | 'sim';
  /** What --port named, for messages: "/dev/ttyACM0", "sim". */
  readonly port: string;
  readonly client: PenClient;
  /** The clock of the host's timers: the wall clock, or the virtual pen's timeline. */
  readonly clock: HostClock;
  /** The technician secret, when this tool knows it (a simulated pen); else undefined. */
  readonly secret: string | undefined;
  /** The pen's hello reply once `hello()` succeeded. */
  readonly info: Info | undefined;
  /** Await `p` while the pen runs (see above). */
  run<T>(p: Promise<T>, o?: RunOptions): Promise<T>;
  /** A promise that resolves after `ms` on the session's clock (await it inside run()). */
  sleep(ms: number): Promise<void>;
  /** Handshake; a refusal or silence becomes a one-line CliError naming the port and the cure. */
  hello(): Promise<Info>;
  /** The pen was just reset: forget what was in flight, and reopen a USB port that went away. */
  afterReset(): Promise<void>;
  /** Resolves with a reason if the link goes away by itself (port unplugged, simulator stopped). */
  readonly lost: Promise<string>;
  close(): Promise<void>;
}

/** sleep() on any HostClock. */
export function clockSleep(clock: HostClock, ms: number): Promise<void> {
  return new Promise((r) => clock.setTimeout(r, ms));
}
