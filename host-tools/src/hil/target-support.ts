// Which scenarios a target can run. The simulator runs all of them. A serial pen (real
// hardware, or a PTY) has only the host link: a scenario that controls the simulator
// (handset, conditions, faults, power, link faults, a pen made to order) or judges on its
// truth (depth gauge, stroke times, LED, memory estimate) is skipped, with the reason.
import type { Scenario, ScenarioAssertion } from './scenario-schema';

const TRUTH_ASSERTIONS = ['depth', 'rate', 'needle', 'strokes', 'led', 'memory', 'hardLimit'] as const;

/** Why `scenario` cannot run on a serial pen, or undefined when it can. */
export function serialSkipReason(s: Scenario, knowsSecret: boolean): string | undefined {
  const ctl = s.timeline.find((a) => !('host' in a));
  if (ctl) return `controls the simulator (${Object.keys(ctl).find((k) => k !== 'at' && k !== 'label' && k !== 'ms' && k !== 'params' && k !== 'offsetMm')} at ${ctl.at} s)`;
  if (Object.keys(s.conditions).length > 0) return 'sets simulator conditions';
  if (!s.pen.calibrate) return 'needs a factory-fresh (uncalibrated) simulated pen';
  if (s.pen.corrupt.length > 0) return `needs damaged records (${s.pen.corrupt.join(', ')})`;
  for (const a of s.assert) {
    const k = TRUTH_ASSERTIONS.find((x) => x in a);
    if (k) return `judges on the simulator's truth (${k})`;
    if (usesTruthRange(a)) return 'compares counters with the simulator\'s true strokes';
  }
  if (!knowsSecret && s.timeline.some((a) => 'host' in a && a.host === 'enterService')) return 'enters SERVICE: give the pen\'s --secret';
  return undefined;
}

function usesTruthRange(a: ScenarioAssertion): boolean {
  if (!('counters' in a)) return false;
  return Object.values(a.counters).some((v) => typeof v === 'object' && v !== null && 'truth' in v);
}
