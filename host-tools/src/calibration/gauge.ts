// The technician's reference instrument, as calibration sees it. Three kinds: the virtual
// rig of an in-process simulated pen (`sim`), a dial indicator read by eye and typed in
// (`manual`), and a digital indicator on a serial line (`serial:PATH`). The procedure
// only says what it needs; each gauge knows how to get it (set the rig, or ask the
// technician).

/** Where the cartridge tip is: free in air (identification), or on the reference skin phantom (verification). */
export type Fixture = 'air' | 'phantom';

export interface HeldReading {
  /** what is held, for prompts and the report, e.g. "drive 0.25" */
  label: string;
  /** where the needle should be, mm, when the procedure can predict it (a typed value far off is questioned) */
  expectMm?: number;
}

/** What a gauge measured over strokes: the mean bottom of the strokes in a window, or a max-hold over the whole run. */
export interface StrokeReading {
  kind: 'mean' | 'max';
  mm: number;
  /** strokes it covers (0: unknown, e.g. a max pointer) */
  strokes: number;
}

/** A window of a run on the session clock, ms. */
export interface StrokeWindow {
  fromMs: number;
  toMs: number;
}

export interface Gauge {
  readonly kind: 'sim' | 'manual' | 'serial';
  /** the instrument's id for the record (meta.gaugeId), e.g. "SIM-RIG", "serial:/dev/ttyUSB1" */
  readonly id: string;
  /** mean over a window, or max-hold over the run */
  readonly strokeStat: 'mean' | 'max';
  /** Put the pen in (or ask for) a fixture. `instructions` is what the technician does. */
  fixture(f: Fixture, instructions: string): Promise<void>;
  /** The needle is held still by the pen: its protrusion, mm. */
  readHeld(r: HeldReading): Promise<number>;
  /** A run is about to start (reset a max pointer, start collecting strokes). */
  strokesBegin(label: string): Promise<void>;
  /** The run has stopped: the reading for the window (mean gauges) or the whole run (max-hold). */
  strokesEnd(label: string, w: StrokeWindow): Promise<StrokeReading>;
  close(): Promise<void>;
}
