// `stipple demo` end to end: the real CLI (host-tools/bin/stipple.js, as `npm start` runs
// it after the build) with --json into a temporary folder: one summary object, the
// calibration and every preset run passed, and the five files it names exist and parse.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'host-tools', 'bin', 'stipple.js');
const CLI_BUNDLE = path.join(ROOT, 'host-tools', 'dist', 'main.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The newest mtime of a file or anything under a folder, ms. */
function newest(p: string): number {
  if (!statSync(p).isDirectory()) return statSync(p).mtimeMs;
  return Math.max(0, ...readdirSync(p).map((e) => newest(path.join(p, e))));
}

let out: string;
beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'stipple-demo-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

beforeAll(() => {
  // the bundle under test must hold this tree's demo: `npm test` builds it first (npm run build)
  const src = Math.max(...['demo', 'calibration', 'cli/commands/demo.ts'].map((p) => newest(path.join(ROOT, 'host-tools', 'src', p))));
  if (!existsSync(CLI_BUNDLE) || statSync(CLI_BUNDLE).mtimeMs < src) throw new Error('host-tools/dist/main.js is missing or older than the demo\'s sources: run `npm run build` first');
});

test('stipple demo --json: calibrated, every preset run on the handset within the acceptance, the files written', async () => {
  const r = await run(['demo', '--json', '--seed', '2', '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const s = JSON.parse(r.stdout);
  expect(s).toMatchObject({ schema: 'stipple-demo-report/1', ok: true, failure: '', seed: 2, pen: { serial: 'SIM-V-000002', drive: 'voiceCoil' } });
  expect(typeof s.firmwareBuild.built).toBe('boolean');
  expect(s.calibration.ok).toBe(true);
  expect(s.calibration.deviceTimeS).toBeLessThanOrEqual(20);
  expect(s.calibration.worstUm).toBeLessThanOrEqual(20);
  // the pen's own presets (firmware/src/app/settings.ts), each selected on the handset and run
  expect(s.presets.map((p: { name: string }) => p.name)).toEqual(['hairline', 'density', 'scar']);
  for (const p of s.presets) {
    expect(p.series).toBeUndefined(); // the per-stroke series are in the run report, not the summary
    expect(p.selected).toEqual({ preset: p.index, depth: p.depthMm, rate: p.rate });
    expect(p).toMatchObject({ pass: true, note: '', faults: [], stateRunning: 'RUNNING' });
    expect(p.strokes).toBeGreaterThanOrEqual(p.rate * 2.5);
    expect(p.dots).toBeGreaterThan(p.strokes * 0.9);
    expect(p.gauge.n).toBeGreaterThan(100);
    expect(p.pen.n).toBeGreaterThan(100);
    expect(Math.abs(p.gauge.meanUm)).toBeLessThanOrEqual(20);
    expect(Math.abs(p.penVsGaugeUm)).toBeLessThanOrEqual(20);
    expect(Math.abs(p.rateErrorPct)).toBeLessThan(0.5);
  }
  expect(s.presets.find((p: { name: string }) => p.name === 'scar').tissue).toBe('scar');

  // the files: calibration record, certificate, samples; run record and report
  const f = s.files;
  for (const file of [f.calibration.json, f.calibration.html, f.calibration.csv, f.json, f.html]) expect(path.dirname(file)).toBe(out);
  const cal = JSON.parse(readFileSync(f.calibration.json, 'utf8'));
  expect(cal).toMatchObject({ schema: 'stipple-calibration-report/1', ok: true, pen: { serial: 'SIM-V-000002' } });
  expect(cal.verification.worstUm).toBe(s.calibration.worstUm);
  const cert = readFileSync(f.calibration.html, 'utf8');
  expect(cert).toContain('PASS');
  expect(cert).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  expect(readFileSync(f.calibration.csv, 'utf8').split('\n')[0]).toMatch(/^step,/);
  const rec = JSON.parse(readFileSync(f.json, 'utf8'));
  expect(rec.ok).toBe(true);
  expect(rec.presets).toHaveLength(3);
  expect(rec.presets[0].series.gauge.mm.length).toBeGreaterThan(100);
  const html = readFileSync(f.html, 'utf8');
  expect((html.match(/<svg /g) ?? []).length).toBe(3);
  expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  expect(html).toContain(path.basename(f.calibration.html));
}, 40000);

test('a bad option is one line on stderr and exit 1, nothing written', async () => {
  const r = await run(['demo', '--seconds', '0', '--out', path.join(out, 'never')]);
  expect(r.code).toBe(1);
  expect(r.stderr.trimEnd().split('\n')).toEqual(['stipple: --seconds must be 1…60 virtual seconds per preset (got "0")']);
  expect(existsSync(path.join(out, 'never'))).toBe(false);
}, 20000);
