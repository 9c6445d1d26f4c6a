// Reads the status LED back the way a person (or a camera on the rig) does: the colour in
// each of the sixteen 125 ms ticks of the 2 s pattern before a time, named by the pattern
// it matches (firmware/src/ui/led-patterns.ts describes what the practitioner sees).
import type { LedState } from '../sim/physics/pen-hardware';

export interface LedReading {
  /** pattern name: boot, idle, ready, running, depth-not-reached, low-battery, service, fault, off, or unknown */
  pattern: string;
  /** red blinks in the 2 s (fault pattern: the fault class) */
  blinks: number;
  /** the 16 colours seen, oldest first (off, red, green, yellow, blue, magenta, cyan, white) */
  ticks: string[];
}

const NAMES = ['off', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
const TICK_S = 0.125;

/** The LED over the 2 s before `at` (absolute virtual time). */
export function decodeLed(history: LedState[], at: number): LedReading {
  const ticks: string[] = [];
  let j = 0;
  for (let k = 0; k < 16; k++) {
    const t = at - 2 + (k + 0.5) * TICK_S;
    while (j + 1 < history.length && history[j + 1]!.time <= t) j++;
    const s = history[j] && history[j]!.time <= t ? history[j]! : undefined;
    const bits = s ? (s.r > 0 ? 1 : 0) | (s.g > 0 ? 2 : 0) | (s.b > 0 ? 4 : 0) : 0;
    ticks.push(NAMES[bits]!);
  }
  const set = new Set(ticks);
  const count = (c: string): number => ticks.filter((x) => x === c).length;
  const only = (...cs: string[]): boolean => [...set].every((c) => cs.includes(c));
  const reds = count('red');
  let pattern = 'unknown';
  if (only('off')) pattern = 'off';
  else if (only('white')) pattern = 'boot';
  else if (only('magenta')) pattern = 'service';
  else if (only('blue')) pattern = 'idle';
  else if (only('green')) pattern = 'ready';
  else if (only('green', 'cyan') && set.has('cyan') && set.has('green')) pattern = 'running';
  else if (only('yellow', 'off') && count('yellow') === 8) pattern = 'depth-not-reached';
  else if (only('red', 'off', 'green') && reds === 8 && redRuns(ticks) === 2) pattern = 'low-battery';
  else if (only('red', 'off') && reds >= 1 && reds <= 7 && redRuns(ticks) === reds) pattern = 'fault';
  return { pattern, blinks: pattern === 'fault' ? reds : 0, ticks };
}

/** Runs of red ticks, counted around the 2 s cycle. */
function redRuns(ticks: string[]): number {
  let runs = 0;
  for (let k = 0; k < ticks.length; k++) if (ticks[k] === 'red' && ticks[(k + ticks.length - 1) % ticks.length] !== 'red') runs++;
  return runs;
}
