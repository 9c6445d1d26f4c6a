// Runs scenarios against a target. On the simulator each scenario gets a fresh virtual pen,
// across cores: worker threads (the bundled worker next to the CLI, dist/hil-worker.js),
// each taking the next scenario, preferring scenarios of the pen (seed, variant, board,
// spread) it has already calibrated. Without the bundled worker (the library run from
// source, e.g. in jest) or with one job, scenarios run one at a time in this process. A
// serial pen runs one scenario at a time. Results come back in file order.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LoadedScenario } from './load-scenarios';
import { runScenario } from './run-scenario';
import type { RunScenarioOptions, ScenarioResult, Target } from './run-scenario';

export const WORKER_BUNDLE = path.join(__dirname, 'hil-worker.js');

export interface RunnerOptions {
  target: Target;
  /** parallel workers on the simulator (default: the cores) */
  jobs?: number;
  /** keep plot data for the HTML report */
  plot?: boolean;
  /** called as each scenario finishes */
  onResult?: (r: ScenarioResult, done: number, total: number) => void;
  /** worker script (default WORKER_BUNDLE when it exists) */
  workerScript?: string;
}

export interface RunSummary {
  target: string;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  wallMs: number;
  jobs: number;
  results: ScenarioResult[];
}

export function defaultJobs(): number {
  return Math.max(1, cpus().length);
}

const penKey = (l: LoadedScenario): string => {
  const p = l.scenario.pen;
  return `${p.seed}/${p.variant}/${p.board}/${p.spread}/${p.calibrate}`;
};

export async function runScenarios(list: LoadedScenario[], o: RunnerOptions): Promise<RunSummary> {
  const w0 = Date.now();
  const opts: RunScenarioOptions = { target: o.target, plot: o.plot };
  const results: ScenarioResult[] = new Array(list.length);
  let done = 0;
  const finish = (i: number, r: ScenarioResult): void => {
    results[i] = r;
    o.onResult?.(r, ++done, list.length);
  };
  const script = o.workerScript ?? (existsSync(WORKER_BUNDLE) ? WORKER_BUNDLE : undefined);
  const jobs = o.target.kind === 'sim' ? Math.max(1, Math.min(o.jobs ?? defaultJobs(), list.length)) : 1;
  if (jobs < 2 || !script) {
    for (let i = 0; i < list.length; i++) finish(i, await runScenario(list[i]!, opts));
  } else {
    const queue = new PenAffineQueue(list);
    await Promise.all(Array.from({ length: jobs }, async () => {
      const w = new Worker(script);
      try {
        let pen = '';
        for (let next = queue.take(pen); next !== undefined; next = queue.take(pen)) {
          pen = penKey(list[next]!);
          finish(next, await ask(w, next, list[next]!, opts));
        }
      } finally {
        await w.terminate();
      }
    }));
  }
  const count = (s: ScenarioResult['status']): number => results.filter((r) => r.status === s).length;
  return {
    target: o.target.kind === 'sim' ? 'sim' : `serial:${o.target.path}`,
    total: list.length, passed: count('pass'), failed: count('fail'), skipped: count('skip'), errors: count('error'),
    wallMs: Date.now() - w0, jobs, results,
  };
}

/** Run one scenario in a worker; a worker that fails is an `error` result, not a crash of the run. */
function ask(w: Worker, id: number, l: LoadedScenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  return new Promise((resolve) => {
    const fail = (msg: string): ScenarioResult => ({
      file: l.file, name: l.scenario.name, tags: l.scenario.tags, target: 'sim', status: 'error', reason: msg.split('\n')[0],
      outcomes: [], failures: [], figures: {}, scenarioS: 0, wallMs: 0,
    });
    const onMessage = (m: { id: number; result?: ScenarioResult; error?: string }): void => {
      if (m.id !== id) return;
      off();
      resolve(m.error !== undefined ? fail(`worker: ${m.error}`) : m.result!);
    };
    const onError = (e: Error): void => { off(); resolve(fail(`worker: ${e.message}`)); };
    const onExit = (code: number): void => { off(); resolve(fail(`worker exited (code ${code})`)); };
    const off = (): void => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.postMessage({ id, file: l.file, options });
  });
}

/** Scenario indexes grouped by pen; a worker gets more of its own pen first, else the pen with the most left that no other worker holds. */
class PenAffineQueue {
  private readonly byPen = new Map<string, number[]>();
  private readonly held = new Map<string, number>();

  constructor(list: LoadedScenario[]) {
    list.forEach((l, i) => {
      const k = penKey(l);
      if (!this.byPen.has(k)) this.byPen.set(k, []);
      this.byPen.get(k)!.push(i);
    });
  }

  take(pen: string): number | undefined {
    const own = this.byPen.get(pen);
    if (own && own.length > 0) return own.shift();
    if (pen) this.held.set(pen, (this.held.get(pen) ?? 1) - 1);
    let best: string | undefined;
    const score = (k: string): number => this.byPen.get(k)!.length / ((this.held.get(k) ?? 0) > 0 ? 1e6 : 1);
    for (const [k, l] of this.byPen) if (l.length > 0 && (best === undefined || score(k) > score(best))) best = k;
    if (best === undefined) return undefined;
    this.held.set(best, (this.held.get(best) ?? 0) + 1);
    return this.byPen.get(best)!.shift();
  }
}
