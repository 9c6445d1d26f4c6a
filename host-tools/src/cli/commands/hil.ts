// `stipple hil <files or dirs…> --target sim|serial:PATH`: runs HIL scenarios (docs/hil.md).
// On the simulator each scenario gets a fresh virtual pen, in parallel across cores; on a
// serial pen only the scenarios that need no simulator control run (the others are skipped,
// each with its reason). One line per scenario with its key figures; --json a summary
// object; --junit FILE for CI; --report DIR a self-contained HTML report. Exit 0 only when
// no scenario failed or could not run.
import path from 'node:path';
import { Command } from 'commander';
import { writeReport, summaryJson } from '../../hil/html-report';
import { junitXml } from '../../hil/junit';
import { loadScenarios, ScenarioFileError } from '../../hil/load-scenarios';
import { defaultJobs, runScenarios } from '../../hil/runner';
import type { RunSummary } from '../../hil/runner';
import type { ScenarioResult, Target } from '../../hil/run-scenario';
import { CliError, colour, printJson } from '../output';
import { ProgressBar } from '../progress';
import { mkdirSync, writeFileSync } from 'node:fs';

interface HilOpts {
  target: string;
  secret?: string;
  json?: boolean;
  junit?: string;
  report?: string;
  jobs?: string;
}

export function registerHil(program: Command): void {
  program.command('hil')
    .description('run HIL scenario files (JSON/YAML) against the simulator or a pen on a serial port (docs/hil.md)')
    .argument('<paths...>', 'scenario files or directories (searched recursively for .yaml, .yml, .json)')
    .option('--target <t>', 'sim (a fresh virtual pen per scenario) or serial:PATH (a pen or `stipple sim --pty`)', 'sim')
    .option('--secret <hex>', 'technician secret of the serial pen (scenarios that enter SERVICE)')
    .option('--jobs <n>', 'scenarios run in parallel on the simulator (default: one per core)')
    .option('--junit <file>', 'write JUnit XML')
    .option('--report <dir>', 'write an HTML report (index.html, self-contained) with summary.json and junit.xml')
    .option('--json', 'print one JSON summary object')
    .action(async (paths: string[], opts: HilOpts) => {
      const target = parseTarget(opts.target, opts.secret);
      const jobs = opts.jobs === undefined ? defaultJobs() : positiveInt(opts.jobs, '--jobs', 64);
      let list;
      try {
        list = loadScenarios(paths);
      } catch (e) {
        if (e instanceof ScenarioFileError) throw new CliError(e.message);
        throw e;
      }
      if (list.length === 0) throw new CliError(`no scenario files (.yaml, .yml, .json) under ${paths.join(', ')}`);
      const bar = new ProgressBar('hil', { unit: (n) => n.toFixed(0) });
      let summary: RunSummary;
      try {
        summary = await runScenarios(list, {
          target, jobs, plot: !!opts.report,
          onResult: (r, done, total) => {
            if (!opts.json) { bar.finish(); console.log(resultLine(r)); }
            bar.update(done, total);
          },
        });
      } finally {
        bar.finish();
      }
      if (opts.junit) {
        mkdirSync(path.dirname(path.resolve(opts.junit)), { recursive: true });
        writeFileSync(opts.junit, junitXml(summary));
      }
      const files = opts.report ? writeReport(opts.report, summary) : undefined;
      if (opts.json) printJson({ ...(summaryJson(summary) as object), junit: opts.junit ?? null, report: files?.html ?? null });
      else {
        const tail = `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.errors} errors in ${(summary.wallMs / 1000).toFixed(1)} s (${summary.jobs} job${summary.jobs > 1 ? 's' : ''}, ${summary.target})`;
        console.log(summary.failed + summary.errors ? colour.bad(tail) : colour.ok(tail));
        if (files) console.log(colour.dim(`report: ${files.html}`));
        if (opts.junit) console.log(colour.dim(`junit: ${opts.junit}`));
      }
      if (summary.failed + summary.errors > 0) {
        throw new CliError(`${summary.failed + summary.errors} of ${summary.total} scenarios ${summary.errors ? 'failed or could not run' : 'failed'}`);
      }
    });
}

function parseTarget(t: string, secret: string | undefined): Target {
  if (t === 'sim') return { kind: 'sim' };
  const m = /^serial:(.+)$/.exec(t);
  if (m) return { kind: 'serial', path: m[1]!, secret };
  throw new CliError(`--target must be sim or serial:PATH (got "${t}")`);
}

function positiveInt(v: string, name: string, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${name} must be a whole number 1…${max} (got "${v}")`);
  return n;
}

/** The line (and failure lines) printed for one scenario. */
export function resultLine(r: ScenarioResult): string {
  const f = r.figures;
  const figs: string[] = [];
  if (f.rmsUm !== undefined) figs.push(`depth RMS ${f.rmsUm.toFixed(1)} µm worst ${f.worstUm!.toFixed(1)} µm`);
  if (f.rateErrPct !== undefined) figs.push(`rate ±${f.rateErrPct.toFixed(2)} %`);
  if (f.latchMs !== undefined) figs.push(`latched ${f.latchMs.toFixed(0)} ms`);
  if (f.deepestMm !== undefined) figs.push(`deepest ${f.deepestMm.toFixed(3)} mm`);
  const checks = r.outcomes.filter((o) => !o.skipped);
  const head = { pass: colour.ok('PASS'), fail: colour.bad('FAIL'), skip: colour.dim('SKIP'), error: colour.bad('ERROR') }[r.status];
  const info = r.status === 'skip' || r.status === 'error'
    ? `: ${r.reason}`
    : `  ${checks.filter((o) => o.pass).length}/${checks.length} checks${figs.length ? `, ${figs.join(', ')}` : ''}  ${colour.dim(`${r.scenarioS} s in ${(r.wallMs / 1000).toFixed(1)} s`)}`;
  const lines = [`${head}  ${r.name}${info}`];
  for (const l of r.failures) lines.push(colour.bad(`      ${l}`));
  return lines.join('\n');
}
