// Stroke, dot and run-time counters: per cartridge and for the pen's lifetime.
// Counted in RAM every block; written to flash in batches (see Pen), not per stroke.

export interface Counters {
  /** per cartridge */
  cStrokes: number;
  cDots: number;
  cRunS: number;
  /** lifetime */
  strokes: number;
  runS: number;
  faults: number;
  cartridges: number;
  /** set while a run is in progress: found set at boot, the last session ended by a reset */
  running?: boolean;
  /** the latched fault's code and context while one is latched: a reset does not clear it, only a person does */
  latched?: number;
  lx?: string;
}

export function zeroCounters(): Counters {
  return { cStrokes: 0, cDots: 0, cRunS: 0, strokes: 0, runS: 0, faults: 0, cartridges: 0 };
}

export function isCounters(c: any): boolean {
  return !!c && typeof c.cStrokes === 'number' && typeof c.strokes === 'number' && typeof c.runS === 'number';
}
