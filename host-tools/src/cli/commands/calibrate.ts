// `stipple calibrate --port P --gauge sim|manual|serial:PATH`: the technician's guided
// depth calibration (docs/calibration.md), and `--restore` to go back to the previous
// record. Writes the JSON record, the HTML certificate and the raw samples CSV; exits
// non-zero with a one-line reason when a step fails (nothing written), 130 on Ctrl-C.
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { calibratePen } from '../../calibration/calibrate-pen';
import { CalibrationError } from '../../calibration/calibration-error';
import type { CalibrationReport } from '../../calibration/calibration-report';
import { restoreCalibration } from '../../calibration/restore-calibration';
import { writeReportFiles } from '../../calibration/report-files';
import type { ReportFiles } from '../../calibration/report-files';
import type { SampleLog } from '../../calibration/sample-log';
import { openGauge, parseGaugeSpec } from '../calibrate/open-gauge';
import { ReadlineTechnician } from '../calibrate/readline-technician';
import { renderResult } from '../calibrate/render-result';
import { StepProgress } from '../calibrate/step-progress';
import { CliError, colour, printJson } from '../output';
import { addPortOptions, withPenSession } from '../port/open-pen-session';
import type { PortOptions } from '../port/open-pen-session';

interface CalibrateOpts extends PortOptions {
  gauge?: string;
  gaugeId?: string;
  technician?: string;
  out: string;
  yes?: boolean;
  json?: boolean;
  acceptance: string;
  clearFaults?: boolean;
  write: boolean;
  restore?: boolean;
}

export function registerCalibrate(program: Command): void {
  addPortOptions(program.command('calibrate').description('guided depth calibration against a gauge (or --restore the previous one)'))
    .option('--gauge <g>', 'reference gauge: sim (the rig of --port sim), manual (type dial readings), serial:PATH[@BAUD] (a streaming indicator / rig)')
    .option('--secret <hex>', 'technician secret of this pen (SERVICE mode; known for --port sim)')
    .option('--technician <name>', 'technician name for the record (default: the login name)')
    .option('--gauge-id <id>', 'gauge id for the record (default: the gauge kind and port)')
    .option('--out <dir>', 'where the record, certificate and samples go', 'reports/calibration')
    .option('--acceptance <um>', 'verification acceptance, µm', '20')
    .option('--yes', 'answer the fixture confirmations (unattended runs)')
    .option('--clear-faults', 'clear a latched fault at the pre-check (the pen refuses while its cause persists)')
    .option('--no-write', 'verify the new calibration but do not write it')
    .option('--restore', 'go back to the previous calibration the pen kept')
    .option('--json', 'machine-readable output (one JSON object)')
    .action(async (opts: CalibrateOpts) => {
      if (opts.restore) return restore(opts);
      if (!opts.gauge) throw new CliError('--gauge is required: sim, manual or serial:PATH (or --restore)');
      const spec = parseGaugeSpec(opts.gauge);
      const acceptanceUm = Number(opts.acceptance);
      if (!(acceptanceUm > 0 && acceptanceUm <= 200)) throw new CliError(`--acceptance must be 0…200 µm (got "${opts.acceptance}")`);
      const technician = (opts.technician ?? safeUser()).slice(0, 32);
      const ac = new AbortController();
      let interrupts = 0;
      const onSigint = (): void => {
        if (++interrupts > 1) process.exit(130); // a second Ctrl-C: give up on making the pen safe
        if (!opts.json) process.stderr.write(colour.warn('\nstopping: the pen is being made safe (Ctrl-C again to quit at once)\n'));
        ac.abort();
      };
      process.on('SIGINT', onSigint);
      const progress = new StepProgress();
      const say = (l: string): void => { if (!opts.json) progress.line(l); };
      const tech = new ReadlineTechnician({
        input: process.stdin, output: process.stdout, yes: !!opts.yes, interactive: !!process.stdin.isTTY,
        onInterrupt: onSigint, say, signal: ac.signal, beforePrompt: () => progress.clear(),
      });
      let result: { report: CalibrationReport; samples: SampleLog } | undefined;
      let failure: CalibrationError | undefined;
      try {
        await withPenSession(opts, async (s) => {
          const info = await s.hello();
          const secret = s.secret ?? opts.secret;
          if (!secret) throw new CliError(`SERVICE mode needs this pen's technician secret: --secret <hex> (serial ${info.serial})`);
          if (spec.kind === 'manual' && !process.stdin.isTTY) throw new CliError('the manual gauge needs a technician at a terminal (stdin is not a TTY)');
          const gauge = await openGauge(spec, s, tech, opts.gaugeId);
          void s.lost.then((why) => { say(colour.bad(`link lost: ${why}`)); ac.abort(); });
          say(colour.bold(`calibrating ${info.serial} (${info.drive}, firmware ${info.fw}) on ${s.port} with the ${gauge.kind} gauge ${gauge.id}`));
          try {
            result = await calibratePen({
              client: s.client, run: (p) => s.run(p, { limitS: 120 }), clock: s.clock, gauge, secret, technician, gaugeId: opts.gaugeId, tech,
              acceptanceUm, clearFaults: opts.clearFaults, write: opts.write, signal: ac.signal,
              onProgress: (e) => progress.update(e), onLog: say, tool: `stipple calibrate ${version()}`,
            });
          } catch (e) {
            if (!(e instanceof CalibrationError)) throw e;
            failure = e;
            result = e.report as { report: CalibrationReport; samples: SampleLog };
          } finally {
            await gauge.close().catch(() => undefined);
          }
        });
      } finally {
        progress.finish();
        tech.close();
        process.off('SIGINT', onSigint);
      }
      const files: ReportFiles | undefined = result ? writeReportFiles(opts.out, result.report, result.samples) : undefined;
      if (opts.json) printJson({ ...summary(result!.report), files });
      else console.log(renderResult(result!.report, files));
      if (failure) throw new CliError(`calibration failed at ${failure.step}: ${failure.message.split('\n')[0]}`, failure.aborted ? 130 : 1);
    });
}

async function restore(opts: CalibrateOpts): Promise<void> {
  const r = await withPenSession(opts, async (s) => {
    const info = await s.hello();
    const secret = s.secret ?? opts.secret;
    if (!secret) throw new CliError(`SERVICE mode needs this pen's technician secret: --secret <hex> (serial ${info.serial})`);
    try {
      return { serial: info.serial, ...(await restoreCalibration({ client: s.client, run: (p) => s.run(p), secret })) };
    } catch (e) {
      if (e instanceof CalibrationError) throw new CliError(e.message);
      throw e;
    }
  });
  if (opts.json) return printJson({ ok: true, serial: r.serial, restored: r.restored, replaced: r.before });
  const m = r.restored.meta;
  console.log(colour.ok(`restored the calibration of ${m.date} by ${m.technician} (gauge ${m.gaugeId}) on ${r.serial}`));
  if (r.before) console.log(colour.dim(`  it replaces the one of ${r.before.meta.date} by ${r.before.meta.technician}`));
}

/** The --json result: the record without the bulky series (they are in the files). */
function summary(r: CalibrationReport): Record<string, unknown> {
  return {
    ok: r.ok, failure: r.failure, serial: r.pen.serial, firmware: r.pen.firmware, drive: r.pen.drive, technician: r.technician, gauge: r.gauge,
    date: r.date, deviceTimeS: r.deviceTimeS, calibration: r.calibration ?? null,
    sensor: r.sensor ? { fit: r.sensor.fit, noiseFs: r.sensor.noiseFs, restMm: r.sensor.restMm, extendedStop: r.sensor.extendedStop, stopNote: r.sensor.stopNote } : null,
    actuator: r.actuator ? { model: r.actuator.model, resonance: r.actuator.resonance, kStaticNPerMm: r.actuator.kStaticNPerMm, fitRmsUm: r.actuator.dynamics.rmsUm } : null,
    stepper: r.stepper ? { hall: { fit: r.stepper.hall.fit, noiseFs: r.stepper.hall.noiseFs }, stage: r.stepper.stage, cam: r.stepper.cam, motorC: r.stepper.motorC } : null,
    gains: r.gains ?? null, verification: r.verification ?? null, write: r.write ?? null,
  };
}

function safeUser(): string {
  try {
    return userInfo().username || 'technician';
  } catch {
    return 'technician';
  }
}

function version(): string {
  return (require('../../../package.json') as { version: string }).version; // eslint-disable-line @typescript-eslint/no-require-imports
}
