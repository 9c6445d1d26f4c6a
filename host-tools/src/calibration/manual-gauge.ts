// The `manual` gauge: a dial indicator on the needle tip, read by the technician and typed
// in. Each reading is validated (a number in the dial's range; far from where the pen
// expects the needle, it must be typed again to confirm — a misread or a slipped gauge);
// a wrong entry is retaken by typing it again. For strokes it uses the dial's max-hold
// (drag) pointer: reset before the run, read after it.
import type { Fixture, Gauge, HeldReading, StrokeReading } from './gauge';
import type { Technician } from './technician';

/** Dial range accepted, mm of protrusion. */
const RANGE_MM: [number, number] = [-3, 4];
/** A held reading this far from the expected position needs confirming, mm. */
const SURPRISE_MM = 0.3;

export class ManualGauge implements Gauge {
  readonly kind = 'manual' as const;
  readonly strokeStat = 'max' as const;

  constructor(private readonly tech: Technician, readonly id = 'manual-dial') {}

  async fixture(_f: Fixture, instructions: string): Promise<void> {
    await this.tech.confirm(instructions);
  }

  readHeld(r: HeldReading): Promise<number> {
    let last: number | undefined;
    return this.tech.askNumber(`dial reading, needle held at ${r.label} (mm)`, (v, again) => {
      const range = inRange(v);
      if (range) return range;
      if (r.expectMm !== undefined && Math.abs(v - r.expectMm) > SURPRISE_MM && !(again && last === v)) {
        last = v;
        return `${v.toFixed(3)} mm is ${Math.abs(v - r.expectMm).toFixed(2)} mm from where the pen expects the needle (${r.expectMm.toFixed(2)} mm): check the dial and type the reading again to confirm it`;
      }
      return '';
    });
  }

  async strokesBegin(label: string): Promise<void> {
    await this.tech.confirm(`Reset the dial's max pointer (drag hand) to the needle, then confirm: the pen then runs ${label}`);
  }

  async strokesEnd(label: string): Promise<StrokeReading> {
    const mm = await this.tech.askNumber(`max pointer reading after ${label} (mm)`, (v) => inRange(v));
    return { kind: 'max', mm, strokes: 0 };
  }

  async close(): Promise<void> {}
}

function inRange(v: number): string {
  if (!Number.isFinite(v)) return 'type the reading in mm, e.g. 0.812';
  if (v < RANGE_MM[0] || v > RANGE_MM[1]) return `${v} mm is outside the dial's range (${RANGE_MM[0]} to ${RANGE_MM[1]} mm)`;
  return '';
}
