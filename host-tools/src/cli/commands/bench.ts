// `stipple bench [--json] [--quick] [--seeds N]`: the standard benchmark matrix on virtual
// pens running the real firmware, the simulator's speed and the firmware budgets
// (docs/benchmarks.md). Figures to read, never pass/fail: it exits 0 whatever they are,
// non-zero only when the bench itself cannot run. (The MQTT bridge adds `--mqtt`, its own
// broker benchmark `runMqttBench` from bridge/mqtt-bench.ts, as one more option here.)
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { DEFAULT_SEEDS } from '../../bench/bench-matrix';
import { renderBench } from '../../bench/render-bench';
import { runBench } from '../../bench/run-bench';
import { renderMqttBench, runMqttBench } from '../../bridge/mqtt-bench';
import { CliError, printJson } from '../output';
import { ProgressBar } from '../progress';

interface BenchOpts {
  json?: boolean;
  quick?: boolean;
  seeds?: string;
  workers?: string;
  mqtt?: boolean;
  pens?: string;
  seconds?: string;
  broker?: string;
}

export function registerBench(program: Command): void {
  program.command('bench')
    .description('benchmark matrix: depth accuracy, stroke rate, simulator speed, firmware budgets (docs/benchmarks.md)')
    .option('--json', 'print one JSON object with every figure')
    .option('--quick', 'a reduced matrix with short runs (2 rates × 1 depth × 2 skins, 1 seed): checks the bench, not the pen')
    .option('--seeds <n>', `spread pens per matrix point, seeds 1…n (default ${DEFAULT_SEEDS}; --quick: 1)`)
    .option('--workers <n>', 'worker threads for the matrix (default: one per core)')
    .option('--mqtt', 'instead: the MQTT bridge under load (messages/s, latency, bridge CPU and memory; docs/mqtt.md)')
    .option('--pens <n>', 'with --mqtt: virtual pens (default 200)')
    .option('--seconds <s>', 'with --mqtt: measurement window (default 30)')
    .option('--broker <url>', 'with --mqtt: broker to use (default: a mosquitto started for the bench)')
    .action(async (opts: BenchOpts) => {
      if (opts.mqtt) {
        let r;
        const mqttBar = new ProgressBar('bench --mqtt', { unit: (n) => `${n.toFixed(0)} s` });
        try {
          r = await runMqttBench({
            pens: positiveInt(opts.pens, 200, '--pens', 2000), seconds: positiveInt(opts.seconds, 30, '--seconds', 3600), brokerUrl: opts.broker,
            onProgress: (l) => { if (!opts.json && !process.stderr.isTTY) process.stderr.write(`${l}\n`); }, onWindow: (d, t) => mqttBar.update(d, t),
          });
        } catch (e) {
          throw new CliError(`bench --mqtt: ${(e as Error).message}`);
        } finally {
          mqttBar.finish();
        }
        if (opts.json) printJson(r);
        else console.log(renderMqttBench(r));
        return;
      }
      const seeds = positiveInt(opts.seeds, opts.quick ? 1 : DEFAULT_SEEDS, '--seeds', 100);
      const workers = positiveInt(opts.workers, availableParallelism(), '--workers', 64);
      const bar = new ProgressBar('bench', { unit: (n) => n.toFixed(0) });
      let report;
      try {
        report = await runBench({
          quick: !!opts.quick, seeds, workers, espruinoBin: process.env.ESPRUINO_BIN || undefined,
          command: ['stipple', ...process.argv.slice(2)].join(' '),
          onProgress: (_phase, done, total) => bar.update(done, total),
        });
      } finally {
        bar.finish();
      }
      if (opts.json) printJson(report);
      else console.log(renderBench(report));
    });
}

function positiveInt(v: string | undefined, dflt: number, name: string, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${name} must be a whole number 1…${max} (got "${v}")`);
  return n;
}
