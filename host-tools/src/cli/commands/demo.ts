// `stipple demo` (what `npm start` runs): on an in-process virtual pen, build the firmware
// if it is stale, boot it, calibrate it with the sim gauge, run each of its presets on the
// handset with telemetry, print a summary table, and write the calibration certificate
// and a run report (host-tools/src/demo). One line on stderr and exit 1 if anything
// failed (a fault, the calibration, a preset off its depth); 130 after Ctrl-C.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ensureFirmware, REPO_ROOT } from '../../demo/firmware-build';
import { demoRecord, writeDemoFiles } from '../../demo/demo-report';
import type { DemoFiles } from '../../demo/demo-report';
import { DEMO_ACCEPTANCE_UM } from '../../demo/preset-run';
import type { PresetResult } from '../../demo/preset-run';
import { runDemo } from '../../demo/run-demo';
import { StepProgress } from '../calibrate/step-progress';
import { CliError, colour, printJson, table } from '../output';
import { parseSeed } from '../port/sim-pen-options';
import { ProgressBar } from '../progress';

/** Where the files go unless --out says otherwise (relative to the working directory; in .gitignore). */
export const DEMO_OUT_DIR = 'stipple-demo-out';

interface DemoOpts {
  seed: string;
  out: string;
  seconds: string;
  ownDrive?: boolean;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('build the firmware if stale, boot it on an in-process virtual pen, calibrate it with the sim gauge, run every preset on the handset, and report')
    .option('--seed <n>', 'the virtual pen\'s seed (part-to-part spread)', '1')
    .option('--out <dir>', 'where the calibration certificate and the run report go', DEMO_OUT_DIR)
    .option('--seconds <s>', 'virtual seconds with the pedal down per preset', '3')
    .option('--own-drive', 'run the voice-coil pen\'s own bundle (stipple-voice-coil.js) instead of stipple.js')
    .option('--json', 'one summary object instead of the text')
    .action(async (opts: DemoOpts) => {
      const wall0 = process.hrtime.bigint();
      const wallS = (): number => Number(process.hrtime.bigint() - wall0) / 1e9;
      const seed = parseSeed(opts.seed);
      const seconds = Number(opts.seconds);
      if (!(seconds >= 1 && seconds <= 60)) throw new CliError(`--seconds must be 1…60 virtual seconds per preset (got "${opts.seconds}")`);
      const say = (l: string): void => { if (!opts.json) progress.line(l); };
      const progress = new StepProgress();

      // 1. the firmware this tree builds
      let fw;
      try {
        fw = ensureFirmware(REPO_ROOT, (why) => say(colour.bold(`building the firmware (${why}): node firmware/build.mjs`)), opts.ownDrive ? 'voiceCoil' : undefined);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      const rel = path.relative(process.cwd(), fw.bundle) || fw.bundle;
      say(fw.built ? `  built ${rel} in ${fw.buildS.toFixed(1)} s` : colour.dim(`firmware up to date: ${rel} (${fw.reason})`));
      const bundle = readFileSync(fw.bundle, 'latin1');

      // 2. calibrate, then the presets on the handset
      const ac = new AbortController();
      let interrupts = 0;
      const onSigint = (): void => {
        if (++interrupts > 1) process.exit(130);
        if (!opts.json) process.stderr.write(colour.warn('\nstopping the demo (Ctrl-C again to quit at once)\n'));
        ac.abort();
      };
      process.on('SIGINT', onSigint);
      let step = '';
      let bar: ProgressBar | undefined;
      let result;
      try {
        result = await runDemo({
          seed, bundle, secondsPerPreset: seconds, signal: ac.signal, tool: `stipple demo ${version()}`,
          onLog: (l) => say(colour.dim(`  ${l}`)),
          onCalibrationProgress: (e) => {
            if (e.step !== step) {
              step = e.step;
              say(`calibrate: ${e.step}`);
            }
            progress.update(e);
          },
          onPreset: (i, n, p) => {
            progress.finish();
            if (i === 0) say(colour.bold(`${n} presets on the handset, ${seconds} s each with the pedal down (speed+ and depth+ together select the next one):`));
            say(`» preset ${i + 1}/${n} ${p.name}: ${p.depth.toFixed(2)} mm at ${p.rate}/s, ${p.needle} ${p.dia.toFixed(2)}`);
            bar ??= new ProgressBar('presets', { unit: (x) => `${x.toFixed(1)} s` });
            bar.update(i * seconds, n * seconds);
          },
          onPresetProgress: (i, n, f) => bar?.update((i + f) * seconds, n * seconds),
          onPresetDone: (r) => {
            bar?.finish();
            say(`  ${r.pass ? colour.ok('pass') : colour.bad('FAIL')} gauge ${signed(r.gauge.meanUm)} µm mean, ${r.gauge.rmsUm.toFixed(1)} rms; pen ${signed(r.pen.meanUm)} µm; ${r.dots} dots${r.note ? ` — ${r.note}` : ''}`);
          },
        });
      } catch (e) {
        throw new CliError(ac.signal.aborted ? 'demo interrupted' : `demo failed: ${(e as Error).message.split('\n')[0]}`, ac.signal.aborted ? 130 : 1);
      } finally {
        progress.finish();
        bar?.finish();
        process.off('SIGINT', onSigint);
      }

      // 3. the files
      const extra = { wallS: wallS(), firmware: { built: fw.built, reason: fw.reason } };
      const files = writeDemoFiles(opts.out, result, extra);
      if (opts.json) {
        const rec = demoRecord(result, { ...extra, wallS: wallS() }) as { presets: PresetResult[] };
        printJson({ ...rec, presets: rec.presets.map(({ series: _s, ...p }) => p), files });
      } else {
        console.log(render(result, files, wallS()));
      }
      if (!result.ok) throw new CliError(ac.signal.aborted ? 'demo interrupted' : `demo failed: ${result.failure}`, ac.signal.aborted ? 130 : 1);
    });
}

const signed = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(1)}` : '—');
const pct2 = (x: number): string => (Math.abs(x) < 0.005 ? '0.00' : `${x > 0 ? '+' : ''}${x.toFixed(2)}`);
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '—');

function render(r: Awaited<ReturnType<typeof runDemo>>, files: DemoFiles, wallS: number): string {
  const out: string[] = [];
  const c = r.calibration;
  out.push('');
  out.push(c.ok
    ? colour.ok(`calibration PASS in ${c.deviceTimeS.toFixed(1)} s of device time: verification worst ${f1(c.worstUm ?? NaN)} µm, gains kp ${c.gains?.kp} ki ${c.gains?.ki}`)
    : colour.bad(`calibration FAIL: ${c.failure}`));
  if (r.presets.length) {
    out.push(colour.bold(`presets (depth error in µm over each run after its first ${r.presets[0].settleS} s; pass: mean within ±${DEMO_ACCEPTANCE_UM} µm, pen within ±${DEMO_ACCEPTANCE_UM} µm of the gauge)`));
    out.push(table(
      ['preset', 'set mm', 'rate', 'tissue', 'gauge mean/rms/worst', 'pen mean/rms/worst', 'rate /s (err %)', 'strokes', 'dots', 'faults', ''],
      r.presets.map((p) => [
        p.name, p.depthMm.toFixed(2), p.rate, p.tissue,
        `${signed(p.gauge.meanUm)} / ${f1(p.gauge.rmsUm)} / ${f1(p.gauge.worstUm)}`,
        `${signed(p.pen.meanUm)} / ${f1(p.pen.rmsUm)} / ${f1(p.pen.worstUm)}`,
        `${p.rateMeasured.toFixed(1)} (${pct2(p.rateErrorPct)})`,
        p.strokes, p.dots, p.faults.map((f) => f.name).join(',') || 'none', p.pass ? colour.ok('pass') : colour.bad('FAIL'),
      ]),
    ).split('\n').map((l) => '  ' + l).join('\n'));
  }
  out.push(r.ok ? colour.ok(colour.bold(`PASS  demo on ${r.pen.serial}: ${r.virtualS.toFixed(1)} s of virtual time in ${wallS.toFixed(1)} s`))
    : colour.bad(colour.bold(`FAIL  ${r.failure}`)));
  out.push(`  certificate ${files.calibration.html}\n  calibration ${files.calibration.json}\n  samples     ${files.calibration.csv}\n  run report  ${files.html}\n  run record  ${files.json}`);
  return out.join('\n');
}

function version(): string {
  return (require('../../../package.json') as { version: string }).version; // eslint-disable-line @typescript-eslint/no-require-imports
}
