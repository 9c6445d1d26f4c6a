// The virtual pen's console as a ByteTransport. Host writes enter the console at the
// board's current virtual time (at 115200-baud byte timing); the board's output is held
// until the driver (SimLink) delivers it between slices of virtual time, never from
// inside the board's event loop, so a receiver may write back at once.
import type { ConsoleLink } from './board';
import type { ByteTransport } from '../link/transport';

export class SimConsoleTransport implements ByteTransport {
  private cb: ((d: Uint8Array) => void) | undefined;
  private held: Buffer[] = [];
  private closed = false;
  private readonly listener = (b: Buffer): void => {
    // nobody to read it: dropped, as a serial port with no reader drops it
    if (!this.closed && this.cb) this.held.push(Buffer.from(b));
  };

  constructor(private readonly console: ConsoleLink) {
    console.on('data', this.listener);
  }

  write(data: Uint8Array): void {
    if (!this.closed) this.console.write(data);
  }

  onData(cb: (d: Uint8Array) => void): void {
    this.cb = cb;
  }

  /** Hand the output held since the last call to the receiver (one chunk). True if there was any. */
  flush(): boolean {
    if (this.held.length === 0) return false;
    const chunk = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
    this.held = [];
    const u8 = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    if (!this.closed) this.cb?.(u8);
    return true;
  }

  /** Output is waiting for flush(). */
  get holding(): boolean {
    return this.held.length > 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.held = [];
      this.console.off('data', this.listener);
    }
    return Promise.resolve();
  }
}
