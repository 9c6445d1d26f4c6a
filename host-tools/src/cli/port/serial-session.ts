// --port <path>: a pen on a serial port (USB CDC, UART, or a PTY from `stipple sim --pty`),
// on the wall clock.
import type { Info } from '@stipple/protocol';
import { realClock } from '../../link/clock';
import { PenClient } from '../../link/pen-client';
import { CliError } from '../output';
import { linkFailure } from './link-failure';
import { clockSleep } from './pen-session';
import type { PenSession } from './pen-session';
import { ReopeningSerialTransport } from './reopening-serial-transport';
import { HOST_NAME } from './host-name';

/** Settle time after a reset: stale bytes drain, a USB device leaves the bus, ms. */
const RESET_SETTLE_MS = 300;
/** How long a USB pen may take to come back after a reset, ms. */
const REENUMERATE_MS = 10000;

export class SerialSession implements PenSession {
  readonly kind = 'serial' as const;
  readonly clock = realClock;
  readonly client: PenClient;
  readonly lost: Promise<string>;
  info: Info | undefined;
  private resetting = false;

  private constructor(readonly port: string, private readonly transport: ReopeningSerialTransport, readonly secret: string | undefined) {
    this.client = new PenClient(transport, { hostName: HOST_NAME });
    this.lost = new Promise((resolve) => transport.onLost(() => {
      // a USB pen leaves the bus while it resets: that is afterReset's to handle
      if (!this.resetting) resolve(`${port} closed (pen unplugged or reset, or the simulator stopped)`);
    }));
  }

  static async open(path: string, secret?: string): Promise<SerialSession> {
    try {
      return new SerialSession(path, await ReopeningSerialTransport.open(path), secret);
    } catch (e) {
      throw new CliError(`cannot open ${path}: ${(e as Error).message.replace(/^Error: /, '')}`);
    }
  }

  run<T>(p: Promise<T>): Promise<T> {
    return p;
  }

  sleep(ms: number): Promise<void> {
    return clockSleep(this.clock, ms);
  }

  async hello(): Promise<Info> {
    try {
      this.info = await this.client.connect();
      return this.info;
    } catch (e) {
      throw linkFailure(e, this.port);
    }
  }

  async afterReset(): Promise<void> {
    this.resetting = true;
    try {
      await this.sleep(RESET_SETTLE_MS);
      this.client.resetLink();
      this.info = undefined;
      if (!this.transport.isOpen) await this.transport.reopen(REENUMERATE_MS);
    } finally {
      this.resetting = false;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
