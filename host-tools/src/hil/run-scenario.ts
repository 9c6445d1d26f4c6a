// One scenario end to end: a rig (a fresh virtual pen, or the serial pen), the timeline,
// the verdicts. A result is plain JSON, so worker processes can send it back.
import { evaluate } from './assertions/evaluate';
import type { Outcome } from './assertions/outcome';
import type { LoadedScenario } from './load-scenarios';
import { plotData } from './plot-data';
import type { PlotData } from './plot-data';
import type { Rig } from './rig';
import { ScenarioEngine } from './scenario-engine';
import type { Scenario } from './scenario-schema';
import { openSerialRig } from './serial-rig';
import { openSimRig } from './sim-rig';
import { serialSkipReason } from './target-support';

export type Target = { kind: 'sim' } | { kind: 'serial'; path: string; secret?: string };

export type ScenarioStatus = 'pass' | 'fail' | 'skip' | 'error';

export interface ScenarioResult {
  file: string;
  name: string;
  tags: string[];
  target: string;
  status: ScenarioStatus;
  /** skip or error: why */
  reason?: string;
  outcomes: Outcome[];
  /** one line per failed assertion: scenario, time, check, expected, seen */
  failures: string[];
  /** key figures for the summary line (depth RMS/worst, rate, fault latency…) */
  figures: Record<string, number>;
  /** scenario time run, s */
  scenarioS: number;
  wallMs: number;
  pen?: { seed: number; variant: string; board: string };
  plot?: PlotData;
}

export interface RunScenarioOptions {
  target: Target;
  /** include the plot data (for --report) */
  plot?: boolean;
}

/** The failure line of an outcome. */
export function failureLine(scenario: string, o: Outcome): string {
  return `${scenario} @ ${o.t.toFixed(3)} s: ${o.name}: expected ${o.expected}, seen ${o.seen}`;
}

/** Key figures of a scenario: the worst of each kind over its outcomes. */
export function keyFigures(outcomes: Outcome[]): Record<string, number> {
  const f: Record<string, number> = {};
  const worst = (k: string, v: number | undefined, pick: (a: number, b: number) => number): void => {
    if (v === undefined || !Number.isFinite(v)) return;
    f[k] = f[k] === undefined ? v : pick(f[k]!, v);
  };
  for (const o of outcomes) {
    worst('rmsUm', o.figures.rmsUm, Math.max);
    worst('worstUm', o.figures.worstUm, Math.max);
    if (o.figures.rateErrPct !== undefined) worst('rateErrPct', Math.abs(o.figures.rateErrPct), Math.max);
    worst('latchMs', o.figures.latchMs, Math.max);
    worst('deepestMm', o.figures.deepestMm, Math.max);
    worst('telemetryRecords', o.figures.telemetryRecords, Math.max);
  }
  return f;
}

export async function runScenario(l: LoadedScenario, o: RunScenarioOptions): Promise<ScenarioResult> {
  const s: Scenario = l.scenario;
  const target = o.target.kind === 'sim' ? 'sim' : `serial:${o.target.path}`;
  const base = {
    file: l.file, name: s.name, tags: s.tags, target, outcomes: [] as Outcome[], failures: [] as string[], figures: {}, scenarioS: 0, wallMs: 0,
    ...(o.target.kind === 'sim' ? { pen: { seed: s.pen.seed, variant: s.pen.variant, board: s.pen.board } } : {}),
  };
  const w0 = Date.now();
  if (o.target.kind === 'serial') {
    const why = serialSkipReason(s, !!o.target.secret);
    if (why) return { ...base, status: 'skip', reason: why };
  }
  let rig: Rig;
  try {
    rig = o.target.kind === 'sim' ? await openSimRig(s.pen) : await openSerialRig(o.target.path, o.target.secret);
  } catch (e) {
    return { ...base, status: 'error', reason: `pen setup: ${(e as Error).message.split('\n')[0]}`, wallMs: Date.now() - w0 };
  }
  try {
    const engine = new ScenarioEngine(s, rig);
    const rec = await engine.run();
    const outcomes = evaluate({ scenario: s, rec, safetySamples: engine.safetySamples, sim: rig.kind === 'sim' });
    const failed = outcomes.filter((x) => !x.pass && !x.skipped);
    return {
      ...base, status: failed.length ? 'fail' : 'pass', outcomes, failures: failed.map((x) => failureLine(s.name, x)),
      figures: keyFigures(outcomes), scenarioS: rec.end, wallMs: Date.now() - w0, plot: o.plot ? plotData(s, rec, outcomes) : undefined,
    };
  } catch (e) {
    return { ...base, status: 'error', reason: (e as Error).message.split('\n')[0], wallMs: Date.now() - w0 };
  } finally {
    await rig.close().catch(() => undefined);
  }
}
