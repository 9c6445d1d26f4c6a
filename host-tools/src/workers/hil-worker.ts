// Worker thread of `stipple hil` (host-tools/src/hil/runner.ts): loads and runs the scenario
// files it is sent, one at a time, each on a fresh virtual pen, and posts each result back.
// Calibrations are cached per worker (calibratedSimPen).
import { parentPort } from 'node:worker_threads';
import { loadScenarioFile } from '../hil/load-scenarios';
import { runScenario } from '../hil/run-scenario';
import type { RunScenarioOptions } from '../hil/run-scenario';

parentPort!.on('message', (m: { id: number; file: string; options: RunScenarioOptions }) => {
  Promise.resolve()
    .then(() => runScenario(loadScenarioFile(m.file), m.options))
    .then(
      (result) => parentPort!.postMessage({ id: m.id, result }),
      (e: unknown) => parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
    );
});
