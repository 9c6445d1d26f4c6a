// The verdict of one assertion: pass or fail, the scenario time it refers to, what was
// expected and what was seen (a failure names all three), and the key figures.
import type { Recording } from '../recording';
import type { Scenario } from '../scenario-schema';

export interface Outcome {
  name: string;
  kind: string;
  pass: boolean;
  /** scenario time the verdict refers to, s */
  t: number;
  expected: string;
  seen: string;
  /** key figures (µm, strokes/s, ms…) for the summary line and the report */
  figures: Record<string, number>;
  /** the check cannot be made on this rig (e.g. the LED on a serial pen): not a failure */
  skipped?: string;
}

/** A truth sample after a latched fault (the engine's). */
export interface SafetySample {
  t: number;
  protrusionMm: number;
  driveWhy: string;
}

export interface EvalContext {
  scenario: Scenario;
  rec: Recording;
  /** truth samples after each latched fault, by index into rec.safety */
  safetySamples: Map<number, SafetySample[]>;
  /** the rig had the simulator (truth, LED, memory) */
  sim: boolean;
}

export const f1 = (x: number): string => x.toFixed(1);
export const f3 = (x: number): string => x.toFixed(3);
export const ts = (t: number): string => `${t.toFixed(3)} s`;

/** Seconds of a window bound. */
export function bound(t: number | 'end', ctx: EvalContext): number {
  return t === 'end' ? ctx.scenario.duration : t;
}
