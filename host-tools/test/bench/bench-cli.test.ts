// `stipple bench` through the real CLI (host-tools/bin/stipple.js, built by `npm run build`):
// it runs and reports every field the issue names, with the right types, in one JSON object;
// a figure is null only with a reason beside it. Not whether the targets are met: those are
// figures to read (docs/benchmarks.md), not test assertions.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'host-tools/bin/stipple.js');

function stipple(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete e[k];
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const num = expect.any(Number);
const numOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));

/** The shape every variant shares: depth, speed, sim, firmware; null figures only with faults or notes saying why. */
function expectVariantShape(v: Record<string, any>, name: string): void {
  for (const k of ['rmsUm', 'maxUm', 'openLoopRmsUm', 'settleStrokes']) expect([name, k, numOrNull(v.depth[k])]).toEqual([name, k, true]);
  for (const k of ['maxErrPct', 'openLoopMaxErrPct']) expect([name, k, numOrNull(v.speed[k])]).toEqual([name, k, true]);
  expect(numOrNull(v.sim.realtimeFactor)).toBe(true);
  expect(v.firmware.bundleBytes).toBe(statSync(path.join(ROOT, 'firmware/dist/stipple.js')).size);
  expect('jsVarsAfterBoot' in v.firmware && 'controlCpuPct150' in v.firmware).toBe(true);
  expect(v.firmware.notes.length).toBeGreaterThan(0);
  if (v.depth.rmsUm === null) expect(v.faults.length).toBeGreaterThan(0);
  if (v.sim.realtimeFactor === null) expect(v.sim.error).not.toBe('');
  expect(Array.isArray(v.points) && Array.isArray(v.breakdown)).toBe(true);
}

test('stipple bench --quick --json: one object with every field, voice coil measured, stepper in the same shape', async () => {
  const r = await stipple(['bench', '--quick', '--json', '--workers', '2'], { ESPRUINO_BIN: undefined });
  expect(r.code).toBe(0);
  const b = JSON.parse(r.stdout); // exactly one object: anything else on stdout fails the parse
  expect(b.schema).toBe('stipple-bench/1');
  expect(b.depth).toEqual(expect.objectContaining({ rmsUm: num, maxUm: num, openLoopRmsUm: num, settleStrokes: num }));
  expect(Number.isInteger(b.depth.settleStrokes)).toBe(true);
  expect(b.depth.points).toBe(b.matrix.pointsPerVariant);
  expect(b.depth.strokes).toBeGreaterThan(100);
  expect(b.depth.asMeasuredByPen).toEqual(expect.objectContaining({ rmsUm: num, maxUm: num, openLoopRmsUm: num }));
  expect(b.speed).toEqual(expect.objectContaining({ maxErrPct: num, openLoopMaxErrPct: num }));
  expect(b.sim.realtimeFactor).toBeGreaterThan(0);
  expect(b.sim.workers).toBe(2); // the matrix ran on worker threads beside the built CLI
  // no interpreter: the two figures are null and the notes say why (nothing estimated from Node)
  expect(b.firmware.jsVarsAfterBoot).toBeNull();
  expect(b.firmware.controlCpuPct150).toBeNull();
  expect(b.firmware.notes.join(' ')).toMatch(/ESPRUINO_BIN/);
  expectVariantShape(b, 'voiceCoil');
  expectVariantShape(b.stepper, 'stepper');
  expect(b.targets.map((t: { field: string }) => t.field)).toEqual(expect.arrayContaining(['depth.rmsUm', 'depth.maxUm', 'speed.maxErrPct', 'sim.realtimeFactor', 'firmware.jsVarsAfterBoot', 'firmware.controlCpuPct150']));
  for (const t of b.targets) expect([true, false, null]).toContain(t.met);
}, 60000);

test('stipple bench --quick: a table and every target marked met, not met or not measured', async () => {
  const r = await stipple(['bench', '--quick', '--seeds', '1'], { ESPRUINO_BIN: undefined });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/rate \/s\s+depth mm\s+skin\s+RMS µm/);
  const targets = r.stdout.slice(r.stdout.indexOf('Targets'));
  for (const f of ['depth.rmsUm', 'depth.maxUm', 'depth.settleStrokes', 'speed.maxErrPct', 'sim.realtimeFactor', 'firmware.jsVarsAfterBoot', 'firmware.controlCpuPct150']) {
    expect(targets).toMatch(new RegExp(`(✓  met|✗  not met|–  not measured)\\s+${f.replace('.', '\\.')} `));
  }
}, 60000);

test('a bad --seeds is one line on stderr and exit 1', async () => {
  const r = await stipple(['bench', '--seeds', '0']);
  expect(r.code).toBe(1);
  expect(r.stderr.trimEnd().split('\n')).toEqual(['stipple: --seeds must be a whole number 1…100 (got "0")']);
});

const bin = process.env.ESPRUINO_BIN;
(bin ? test : test.skip)('with ESPRUINO_BIN: memory and control CPU measured on the real interpreter', async () => {
  const r = await stipple(['bench', '--quick', '--json']);
  expect(r.code).toBe(0);
  const fw = JSON.parse(r.stdout).firmware;
  expect(fw.jsVarsAfterBoot).toBeGreaterThan(0);
  expect(fw.controlCpuPct150).toBeGreaterThan(0);
  expect(fw.interpreter).toBe(path.basename(bin!));
}, 60000);
