// A one-line progress bar on stderr for operations that take more than a second (the CLI's
// rule), drawn only when stderr is a terminal and only once the operation has run for
// `delayMs`, so quick operations (a simulated pen) do not flicker.
import { colour } from './output';

export interface ProgressOptions {
  /** Draw on this stream (default stderr); nothing is drawn unless it is a TTY. */
  stream?: NodeJS.WriteStream;
  /** Start drawing after this long, ms (default 1000). */
  delayMs?: number;
  /** Formats the amounts (default: KB). */
  unit?: (n: number) => string;
}

const WIDTH = 28;
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

export class ProgressBar {
  private readonly t0 = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;

  constructor(private readonly label: string, private readonly o: ProgressOptions = {}) {
    this.stream = o.stream ?? process.stderr;
    this.enabled = !!this.stream.isTTY;
  }

  update(done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.t0 < (this.o.delayMs ?? 1000)) return;
    if (now - this.lastDraw < 80 && done < total) return; // ~12 redraws/s at most
    this.lastDraw = now;
    const f = total > 0 ? Math.min(1, done / total) : 0;
    const full = Math.round(f * WIDTH);
    const unit = this.o.unit ?? kb;
    const rate = done / Math.max(0.001, (now - this.t0) / 1000);
    const bar = colour.ok('█'.repeat(full)) + colour.dim('░'.repeat(WIDTH - full));
    this.stream.write(`\r\x1b[2K${this.label} ${bar} ${(f * 100).toFixed(0).padStart(3)}%  ${unit(done)}/${unit(total)}  ${unit(rate)}/s`);
    this.drawn = true;
  }

  /** Remove the bar (the caller prints the outcome). */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
