// A serial ByteTransport that can be reopened on the same path. Why: a USB pen that
// resets (E.reboot after `stipple flash`) leaves the bus and comes back as a new device
// on the same path; the PenClient on top keeps its state and subscriptions across that.
import { existsSync, realpathSync } from 'node:fs';
import { SerialTransport } from '../../link/serial-transport';
import type { ByteTransport } from '../../link/transport';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** How often the device node is checked for, ms. */
const PATH_WATCH_MS = 250;

export class ReopeningSerialTransport implements ByteTransport {
  private cb: ((d: Uint8Array) => void) | undefined;
  private closed = false;
  private reopening = false;
  private lostCbs: (() => void)[] = [];
  private isLost = false;
  private readonly pathWatch: NodeJS.Timeout;
  private device: string;

  private constructor(readonly path: string, private current: SerialTransport) {
    this.watch(current);
    // serialport does not always hear a PTY's other end go away while a read is pending
    // (no 'close', no error): a port whose device node vanished is gone too. The node we
    // opened, not the path: a PTY link may be re-pointed while we are connected.
    this.device = ReopeningSerialTransport.deviceOf(path);
    this.pathWatch = setInterval(() => { if (!existsSync(this.device)) this.lose(); }, PATH_WATCH_MS);
    this.pathWatch.unref();
  }

  private static deviceOf(path: string): string {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  }

  private watch(t: SerialTransport): void {
    t.onClose(() => { if (t === this.current) this.lose(); });
  }

  private lose(): void {
    if (this.closed || this.reopening || this.isLost) return;
    this.isLost = true;
    for (const f of this.lostCbs) f();
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
          this.device = ReopeningSerialTransport.deviceOf(this.path);
          this.isLost = false;
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
    clearInterval(this.pathWatch);
    return this.current.close();
  }
}
