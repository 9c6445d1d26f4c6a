// Worker thread of `stipple bench` (host-tools/src/bench/bench-pool.ts): runs the tasks it
// is sent, one at a time, and posts each result back. Calibrations are cached per worker.
import { parentPort } from 'node:worker_threads';
import { runBenchTask } from '../bench/bench-task';
import type { BenchTask } from '../bench/bench-task';

parentPort!.on('message', (m: { id: number; task: BenchTask }) => {
  runBenchTask(m.task).then(
    (result) => parentPort!.postMessage({ id: m.id, result }),
    (e: unknown) => parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  );
});
