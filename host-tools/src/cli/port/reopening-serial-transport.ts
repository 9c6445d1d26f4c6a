// A serial ByteTransport that can be reopened on the same path. Why: a USB pen that
// resets (E.reboot after `stipple flash`) leaves the bus and comes back as a new device
// on the same path; the PenClient on top keeps its state and subscriptions across that.
import { SerialTransport } from '../../link/serial-transport';
import type { ByteTransport } from '../../link/transport';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ReopeningSerialTransport implements ByteTransport {
  private cb: ((d: Uint8Array) => void) | undefined;
  private closed = false;
  private reopening = false;
  private lostCbs: (() => void)[] = [];

  private constructor(readonly path: string, private current: SerialTransport) {
    this.watch(current);
  }

  private watch(t: SerialTransport): void {
    t.onClose(() => {
      if (!this.closed && !this.reopening && t === this.current) for (const f of this.lostCbs) f();
    });
  }

  /** Called when the port closes by itself (device unplugged, simulator stopped), not via close()/reopen(). */
  onLost(cb: () => void): void {
    this.lostCbs.push(cb);
  }

  /** Open `path` at 115200 Bd (the pen's console); rejects with serialport's error. */
  static async open(path: string): Promise<ReopeningSerialTransport> {
    return new ReopeningSerialTransport(path, await SerialTransport.open(path, 115200));
  }

  get isOpen(): boolean {
    return this.current.isOpen;
  }

  write(data: Uint8Array): void {
    this.current.write(data);
  }

  onData(cb: (d: Uint8Array) => void): void {
    this.cb = cb;
    this.current.onData(cb);
  }

  /** Reopen the path, retrying until `timeoutMs` passed (the device re-enumerating). */
  async reopen(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.reopening = true;
    try {
      await this.current.close();
      for (;;) {
        if (this.closed) return;
        try {
          this.current = await SerialTransport.open(this.path, 115200);
          this.watch(this.current);
          if (this.cb) this.current.onData(this.cb);
          return;
        } catch (e) {
          if (Date.now() > deadline) throw new Error(`${this.path} did not come back after the pen reset: ${(e as Error).message}`);
          await sleep(250);
        }
      }
    } finally {
      this.reopening = false;
    }
  }

  close(): Promise<void> {
    this.closed = true;
    return this.current.close();
  }
}
