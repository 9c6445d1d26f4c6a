// The places a bridge finds pens: a serial port path (a USB pen, or a PTY from `stipple
// sim --pty`), or an in-process virtual pen. A port can go away and come back (a pen
// unplugged and plugged in again): the agent waits until `present()` and opens it again.
import { existsSync } from 'node:fs';
import type { PenSession } from '../cli/port/pen-session';
import { SerialSession } from '../cli/port/serial-session';

export interface PenPort {
  /** What the operator named: "/dev/ttyACM0", "sim:3". */
  readonly name: string;
  /** Open and greet the pen (hello done). Throws when it cannot. */
  open(): Promise<PenSession>;
  /** The port is there to be opened (the device node exists). */
  present(): boolean;
  /** A serial port stays the agent's to reopen; a virtual pen lives once. */
  readonly reopenable: boolean;
}

export class SerialPenPort implements PenPort {
  readonly reopenable = true;

  constructor(readonly name: string) {}

  async open(): Promise<PenSession> {
    const s = await SerialSession.open(this.name);
    try {
      await s.hello();
      return s;
    } catch (e) {
      await s.close().catch(() => undefined);
      throw e;
    }
  }

  present(): boolean {
    return existsSync(this.name);
  }
}
