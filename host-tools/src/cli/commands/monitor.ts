// `stipple monitor --port P`: a live view of depth, rate, drive, temperature and state
// (redrawn in place on a terminal), `--json` one record per line, `--csv FILE` to record,
// `--duration S` to stop, `--run depth,rate` to drive a run (bench build, or SERVICE).
import { Command } from 'commander';
import { DEPTH_MAX_MM, DEPTH_MIN_MM, RATE_MAX, RATE_MIN, TLM_EVERY_MAX, TLM_EVERY_MIN } from '@stipple/protocol';
import { CsvRecorder } from '../monitor/csv-recorder';
import { MonitorView } from '../monitor/monitor-view';
import type { ViewMode } from '../monitor/monitor-view';
import { monitorPen } from '../monitor/run-monitor';
import type { MonitorRun } from '../monitor/run-monitor';
import { CliError, colour } from '../output';
import { addPortOptions, withPenSession } from '../port/open-pen-session';
import type { PortOptions } from '../port/open-pen-session';
import { SimSession } from '../port/sim-session';

interface MonitorOpts extends PortOptions {
  json?: boolean;
  csv?: string;
  duration?: string;
  every: string;
  run?: string;
}

export function parseRun(s: string): MonitorRun {
  const m = /^\s*([0-9.]+)\s*,\s*([0-9]+)\s*$/.exec(s);
  const depth = m ? Number(m[1]) : NaN;
  const rate = m ? Number(m[2]) : NaN;
  if (!(depth >= DEPTH_MIN_MM && depth <= DEPTH_MAX_MM) || Math.abs(depth * 100 - Math.round(depth * 100)) > 1e-6 || !(rate >= RATE_MIN && rate <= RATE_MAX)) {
    throw new CliError(`--run wants depth,rate with depth ${DEPTH_MIN_MM}…${DEPTH_MAX_MM} mm (0.01 mm steps) and rate ${RATE_MIN}…${RATE_MAX} strokes/s, e.g. 1.0,120 (got "${s}")`);
  }
  return { depth: Math.round(depth * 100) / 100, rate };
}

function parseDuration(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const d = Number(s);
  if (!(d > 0) || !Number.isFinite(d)) throw new CliError(`--duration must be a positive number of seconds (got "${s}")`);
  return d;
}

function parseEvery(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < TLM_EVERY_MIN || n > TLM_EVERY_MAX) throw new CliError(`--every must be an integer ${TLM_EVERY_MIN}…${TLM_EVERY_MAX} (got "${s}")`);
  return n;
}

export function registerMonitor(program: Command): void {
  addPortOptions(program.command('monitor').description('live view of depth, rate, drive, temperature and state'))
    .option('--json', 'one JSON object per line: telemetry records (kind "tlm") and events')
    .option('--csv <file>', 'also record every telemetry record to this CSV file')
    .option('--duration <s>', 'stop after this many seconds (with --port sim: virtual seconds, run as fast as the simulator goes, except in the live view on a terminal, which runs in real time)')
    .option('--every <strokes>', 'strokes per telemetry record', '20')
    .option('--run <depth,rate>', 'start a host-driven run, e.g. 1.0,120 (bench build; device build: SERVICE, needs --secret except on --port sim)')
    .option('--secret <hex>', 'technician secret for SERVICE mode (--run on a device build)')
    .action(async (opts: MonitorOpts) => {
      const durationS = parseDuration(opts.duration);
      const every = parseEvery(opts.every);
      const run = opts.run === undefined ? undefined : parseRun(opts.run);
      let csv: CsvRecorder | undefined;
      if (opts.csv) {
        try {
          csv = new CsvRecorder(opts.csv);
        } catch (e) {
          throw new CliError(`cannot write ${opts.csv}: ${(e as Error).message}`);
        }
      }
      let interrupt: () => void = () => undefined;
      const interrupted = new Promise<void>((r) => { interrupt = r; });
      const onSignal = (): void => interrupt();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const summary = await withPenSession(opts, async (s) => {
          const info = await s.hello();
          const mode: ViewMode = opts.json ? 'json' : process.stdout.isTTY ? 'tty' : 'lines';
          const view = new MonitorView(mode, { serial: info.serial, fw: info.fw, drive: info.drive, port: s.port });
          if (s instanceof SimSession && mode === 'tty') s.pace(1); // a person watches: real time
          const r = await s.run(monitorPen(s, {
            every, durationS, run, secret: opts.secret ?? s.secret, interrupted,
            onRecord: (rec, seq, lost, hostMs) => { view.record(rec, seq, lost); csv?.add(hostMs, seq, rec); },
            onEvent: (e) => view.event(e),
            onNote: (n) => view.note(n),
          }), { limitS: durationS === undefined ? Infinity : durationS + 30 });
          view.finish();
          return r;
        });
        if (opts.json) process.stdout.write(JSON.stringify({ kind: 'end', ...summary, csv: csv?.file ?? null }) + '\n');
        else {
          const how = summary.endedBy === 'duration' ? 'after the duration' : summary.endedBy === 'interrupt' ? 'on Ctrl-C' : 'when the run ended';
          console.log(colour.dim(`stopped ${how}: ${summary.records} records in ${summary.seconds.toFixed(1)} s, ${summary.lost} lost${csv ? `, ${csv.rows} rows in ${opts.csv}` : ''}`));
        }
        if (summary.fault) throw new CliError(`the run stopped on fault ${summary.fault.code} ${summary.fault.name}`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        csv?.close();
      }
    });
}
