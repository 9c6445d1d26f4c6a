// The virtual dial indicator's serial output: a reading every `periodS` of virtual time
// (10 Hz by default, as a streaming indicator), and one at once for each request
// character. Readings are the needle protrusion the physics reports (1 µm resolution).
//
// The calibration rig around it (stipple calibrate, docs/calibration.md) answers a few
// more characters: `S` switches the output to one line per stroke with that stroke's
// bottom (a depth rig's peak-per-cycle output: a streaming dial cannot follow 50–150
// strokes/s), `P` back to position readings; `A` lifts the reference phantom away from
// the cartridge tip (needle in air), `N` brings the `normal` skin phantom to it.
import { GAUGE_REQUEST_CHARS, formatGaugeLine } from './gauge-line';

export const RIG_STROKE_MODE = 'S';
export const RIG_POSITION_MODE = 'P';
export const RIG_PHANTOM_AWAY = 'A';
export const RIG_PHANTOM_NORMAL = 'N';

export interface GaugeStreamOptions {
  /** The reading now, mm. */
  read: () => number;
  /** Send one line to the indicator's port. */
  send: (line: string) => void;
  /** Streaming period, virtual s (default 0.1; 0 = only on request). */
  periodS?: number;
  /** The rig's per-stroke bottoms since a virtual time (stroke mode); no stroke mode without it. */
  strokes?: (sinceS: number) => { time: number; bottomMm: number }[];
  /** The rig's phantom: 'air' (lifted away) or 'normal' (skin phantom at the tip). */
  phantom?: (p: 'air' | 'normal') => void;
}

export class GaugeStream {
  private nextS: number | undefined;
  private readonly periodS: number;
  private strokeMode = false;
  /** stroke mode: strokes with a time after this were not sent yet */
  private strokesAfterS = -Infinity;
  private nowS = 0;
  lines = 0;

  constructor(private readonly o: GaugeStreamOptions) {
    this.periodS = o.periodS ?? 0.1;
  }

  /** Call with the virtual time after each step of the simulation. */
  tick(nowS: number): void {
    this.nowS = nowS;
    if (this.strokeMode && this.o.strokes) {
      for (const s of this.o.strokes(this.strokesAfterS)) {
        if (s.time <= this.strokesAfterS) continue;
        this.strokesAfterS = s.time;
        this.lines++;
        this.o.send(formatGaugeLine(s.bottomMm));
      }
      return;
    }
    if (!(this.periodS > 0)) return;
    if (this.nextS === undefined) this.nextS = nowS;
    if (nowS < this.nextS) return;
    this.emit();
    // a stream that fell behind skips readings rather than bursting them
    this.nextS += this.periodS;
    if (this.nextS <= nowS) this.nextS = nowS + this.periodS;
  }

  /** Bytes from the host: each request character gets one reading now; rig characters act. */
  input(bytes: Uint8Array): void {
    for (const b of bytes) {
      const c = String.fromCharCode(b);
      if (GAUGE_REQUEST_CHARS.includes(c)) this.emit();
      else if (c === RIG_STROKE_MODE && this.o.strokes) {
        this.strokeMode = true;
        this.strokesAfterS = this.nowS; // strokes from now on
      } else if (c === RIG_POSITION_MODE) {
        this.strokeMode = false;
        this.nextS = undefined;
      } else if (c === RIG_PHANTOM_AWAY) this.o.phantom?.('air');
      else if (c === RIG_PHANTOM_NORMAL) this.o.phantom?.('normal');
    }
  }

  private emit(): void {
    this.lines++;
    this.o.send(formatGaugeLine(this.o.read()));
  }
}
