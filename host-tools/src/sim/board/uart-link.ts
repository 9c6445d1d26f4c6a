// The host side of the console link (USB CDC / UART): what a host tool writes and
// reads, with the byte timing of a 115200-baud UART on the way in and injectable faults.
//
// Timing: bytes written by the host are serialised at `byteTime` (10 bits per byte, 86.8 µs
// at 115200 Bd) and reach the interpreter one by one at those virtual times. Output from
// the board is delivered to listeners at once (when the event that produced it finishes).
// Faults (seeded, deterministic): each byte is dropped with `dropRate`, else has one random
// bit flipped with `corruptRate`; `lost` lets nothing through either way. `direction`
// limits drop/corrupt to one direction.

import { SeededRng } from './rng';

export interface LinkFaults {
  dropRate: number;
  corruptRate: number;
  lost: boolean;
  direction: 'both' | 'to-board' | 'to-host';
}

export interface LinkStats {
  bytesToBoard: number;
  bytesToHost: number;
  dropped: number;
  corrupted: number;
}

/** What the link needs from the board. */
export interface LinkBoardSide {
  now(): number;
  /** Can the interpreter receive bytes right now (powered and running)? */
  listening(): boolean;
  /** A byte reaches the interpreter at `time`. */
  scheduleByte(time: number, byte: number): void;
}

export type DataListener = (bytes: Buffer) => void;

export class ConsoleLink {
  faults: LinkFaults = { dropRate: 0, corruptRate: 0, lost: false, direction: 'both' };
  readonly stats: LinkStats = { bytesToBoard: 0, bytesToHost: 0, dropped: 0, corrupted: 0 };
  /** Seconds per byte on the wire. */
  readonly byteTime: number;
  private listeners: DataListener[] = [];
  private lineFreeAt = 0;

  constructor(private readonly rng: SeededRng, baud: number, private readonly board: LinkBoardSide) {
    this.byteTime = 10 / baud;
  }

  setFaults(f: Partial<LinkFaults>): void {
    this.faults = { ...this.faults, ...f };
  }

  on(event: 'data', fn: DataListener): this {
    if (event === 'data') this.listeners.push(fn);
    return this;
  }

  off(event: 'data', fn: DataListener): this {
    if (event === 'data') this.listeners = this.listeners.filter((l) => l !== fn);
    return this;
  }

  /** Host -> board. Returns the virtual time at which the last byte arrives. */
  write(data: Uint8Array | string): number {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let t = Math.max(this.board.now(), this.lineFreeAt);
    const listening = this.board.listening();
    for (let i = 0; i < bytes.length; i++) {
      t += this.byteTime;
      const b = this.applyFaults(bytes[i]!, 'to-board');
      if (b < 0 || !listening) continue;
      this.stats.bytesToBoard++;
      this.board.scheduleByte(t, b);
    }
    this.lineFreeAt = t;
    return t;
  }

  /** Virtual time at which the bytes already written will all have arrived. */
  get idleAt(): number {
    return this.lineFreeAt;
  }

  /** Board -> host (called by the board). */
  deliver(bytes: Uint8Array): void {
    if (this.faults.lost || this.listeners.length === 0) {
      if (this.faults.lost) this.stats.dropped += bytes.length;
      return;
    }
    let out: Uint8Array = bytes;
    if (this.faults.direction !== 'to-board' && (this.faults.dropRate > 0 || this.faults.corruptRate > 0)) {
      const tmp: number[] = [];
      for (let i = 0; i < bytes.length; i++) {
        const b = this.applyFaults(bytes[i]!, 'to-host');
        if (b >= 0) tmp.push(b);
      }
      out = Uint8Array.from(tmp);
    }
    this.stats.bytesToHost += out.length;
    const buf = Buffer.from(out.buffer, out.byteOffset, out.length);
    for (const l of this.listeners.slice()) l(buf);
  }

  /** Reset line timing (board reset or power cycle). */
  resetLine(): void {
    this.lineFreeAt = 0;
  }

  /** -1 if the byte is lost. */
  private applyFaults(b: number, dir: 'to-board' | 'to-host'): number {
    const f = this.faults;
    if (f.lost) {
      this.stats.dropped++;
      return -1;
    }
    if (f.direction !== 'both' && f.direction !== dir) return b;
    if (f.dropRate > 0 && this.rng.next() < f.dropRate) {
      this.stats.dropped++;
      return -1;
    }
    if (f.corruptRate > 0 && this.rng.next() < f.corruptRate) {
      this.stats.corrupted++;
      return b ^ (1 << this.rng.int(8));
    }
    return b;
  }
}
