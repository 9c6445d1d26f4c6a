// One progress bar for the whole calibration on stderr (terminals only, after the first
// second, as the CLI's rule says), weighted by how long each step takes, with the step's
// latest detail beside it. Lines printed meanwhile clear the bar first.
import type { ProgressEvent } from '../../calibration/calibration-context';
import { colour } from '../output';

/** Share of the procedure's time per step (virtual pen: device seconds). */
const WEIGHTS: Record<string, number> = { precheck: 0.02, sensor: 0.12, actuator: 0.32, stroke: 0.18, gains: 0.01, verify: 0.33, write: 0.02, restore: 1 };
const ORDER = ['precheck', 'sensor', 'actuator', 'stroke', 'gains', 'verify', 'write'];
const WIDTH = 24;

export class StepProgress {
  private readonly t0 = Date.now();
  private drawn = false;
  private last = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly delayMs = 1000) {}

  update(e: ProgressEvent): void {
    if (!this.stream.isTTY || Date.now() - this.t0 < this.delayMs) return;
    const i = ORDER.indexOf(e.step);
    let f = 0;
    for (let k = 0; k < i; k++) f += WEIGHTS[ORDER[k]];
    f += (WEIGHTS[e.step] ?? 0) * e.fraction;
    const full = Math.round(Math.min(1, f) * WIDTH);
    const cols = this.stream.columns ?? 100;
    const text = `calibrate ${colour.ok('█'.repeat(full))}${colour.dim('░'.repeat(WIDTH - full))} ${String(Math.round(f * 100)).padStart(3)}%  ${e.step}: ${e.detail}`;
    this.last = text.length > cols + 20 ? text.slice(0, cols + 20) : text;
    this.stream.write(`\r\x1b[2K${this.last}`);
    this.drawn = true;
  }

  /** Print a line above the bar. */
  line(s: string, out: NodeJS.WriteStream = process.stdout): void {
    this.clear();
    out.write(s + '\n');
    if (this.drawn && this.last) this.stream.write(this.last);
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
  }

  finish(): void {
    this.clear();
    this.drawn = false;
  }
}
