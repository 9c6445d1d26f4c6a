// The virtual dial indicator's serial output: a reading every `periodS` of virtual time
// (10 Hz by default, as a streaming indicator), and one at once for each request
// character. Readings are the needle protrusion the physics reports (1 µm resolution).
import { GAUGE_REQUEST_CHARS, formatGaugeLine } from './gauge-line';

export interface GaugeStreamOptions {
  /** The reading now, mm. */
  read: () => number;
  /** Send one line to the indicator's port. */
  send: (line: string) => void;
  /** Streaming period, virtual s (default 0.1; 0 = only on request). */
  periodS?: number;
}

export class GaugeStream {
  private nextS: number | undefined;
  private readonly periodS: number;
  lines = 0;

  constructor(private readonly o: GaugeStreamOptions) {
    this.periodS = o.periodS ?? 0.1;
  }

  /** Call with the virtual time after each step of the simulation. */
  tick(nowS: number): void {
    if (!(this.periodS > 0)) return;
    if (this.nextS === undefined) this.nextS = nowS;
    if (nowS < this.nextS) return;
    this.emit();
    // a stream that fell behind skips readings rather than bursting them
    this.nextS += this.periodS;
    if (this.nextS <= nowS) this.nextS = nowS + this.periodS;
  }

  /** Bytes from the host: each request character gets one reading now. */
  input(bytes: Uint8Array): void {
    for (const b of bytes) if (GAUGE_REQUEST_CHARS.includes(String.fromCharCode(b))) this.emit();
  }

  private emit(): void {
    this.lines++;
    this.o.send(formatGaugeLine(this.o.read()));
  }
}
