// Runs bench tasks across cores: one worker thread per core (the bundled worker next to the
// CLI, host-tools/dist/bench-worker.js), each taking the next task. A worker is kept on the
// pen (seed) it already calibrated while that pen has tasks left, so each pen is
// calibrated about once. Without the bundled worker (library used from source) the tasks
// run one at a time in this process.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { runBenchTask, taskPen } from './bench-task';
import type { BenchTask } from './bench-task';
import type { PointResult } from './bench-point';
import type { SimSpeed } from './sim-speed';

export const WORKER_BUNDLE = path.join(__dirname, 'bench-worker.js');

export type TaskOutcome = PointResult | SimSpeed;

export interface PoolOptions {
  workers: number;
  /** called after each task with (done, total) */
  onProgress?: (done: number, total: number) => void;
}

/** Worker threads a pool of `requested` really uses: none (this process, reported as 1) without the bundled worker. */
export function poolSize(requested: number): number {
  return existsSync(WORKER_BUNDLE) ? Math.max(1, requested) : 1;
}

/** Results in the order of `tasks`. */
export async function runTasks(tasks: BenchTask[], o: PoolOptions): Promise<TaskOutcome[]> {
  const results: TaskOutcome[] = new Array(tasks.length);
  let done = 0;
  const finished = (): void => o.onProgress?.(++done, tasks.length);
  if (poolSize(o.workers) < 2) {
    for (let i = 0; i < tasks.length; i++) {
      results[i] = await runBenchTask(tasks[i]!);
      finished();
    }
    return results;
  }
  const queue = new PenAffineQueue(tasks);
  const n = Math.min(o.workers, tasks.length);
  await Promise.all(Array.from({ length: n }, async () => {
    const w = new Worker(WORKER_BUNDLE);
    try {
      let pen = '';
      for (let next = queue.take(pen); next; next = queue.take(pen)) {
        pen = taskPen(next.task);
        results[next.index] = await ask(w, next.index, next.task);
        finished();
      }
    } finally {
      await w.terminate();
    }
  }));
  return results;
}

function ask(w: Worker, id: number, task: BenchTask): Promise<TaskOutcome> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { id: number; result?: TaskOutcome; error?: string }): void => {
      if (m.id !== id) return;
      off();
      if (m.error !== undefined) reject(new Error(`bench worker: ${m.error}`));
      else resolve(m.result!);
    };
    const onError = (e: Error): void => { off(); reject(e); };
    const onExit = (code: number): void => { off(); reject(new Error(`bench worker exited (code ${code})`)); };
    const off = (): void => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.postMessage({ id, task });
  });
}

/** Tasks grouped by pen; a worker gets more of its own pen first, else the pen with the most left that nobody holds. */
class PenAffineQueue {
  private readonly byPen = new Map<string, { index: number; task: BenchTask }[]>();
  private readonly held = new Map<string, number>();

  constructor(tasks: BenchTask[]) {
    tasks.forEach((task, index) => {
      const k = taskPen(task);
      if (!this.byPen.has(k)) this.byPen.set(k, []);
      this.byPen.get(k)!.push({ index, task });
    });
  }

  take(pen: string): { index: number; task: BenchTask } | undefined {
    const own = this.byPen.get(pen);
    if (own && own.length > 0) return own.shift();
    if (pen) this.held.set(pen, (this.held.get(pen) ?? 1) - 1);
    let best: string | undefined;
    for (const [k, list] of this.byPen) {
      if (list.length === 0) continue;
      const score = (this.held.get(k) ?? 0) > 0 ? list.length / 1e6 : list.length; // prefer pens nobody holds
      const bestScore = best === undefined ? -1 : (this.held.get(best) ?? 0) > 0 ? this.byPen.get(best)!.length / 1e6 : this.byPen.get(best)!.length;
      if (score > bestScore) best = k;
    }
    if (best === undefined) return undefined;
    this.held.set(best, (this.held.get(best) ?? 0) + 1);
    return this.byPen.get(best)!.shift();
  }
}
