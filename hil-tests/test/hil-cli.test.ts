// `stipple hil` as QA runs it: the real CLI (bundled fresh from source, with its worker),
// scenario files in a directory, --junit and --report files checked, a failing scenario
// named with its time, expected and seen, a bad file refused in one line, --json, and a
// serial target (a `stipple sim --pty` pen over socat) that runs only host-only scenarios.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { CliHarness, haveSocat, ROOT } from '../../host-tools/test/cli/cli-harness';

const SC = path.join(ROOT, 'hil-tests/scenarios');
let h: CliHarness;
let dir: string;

beforeAll(() => {
  h = new CliHarness();
  const out = path.dirname(h.cli);
  buildSync({
    entryPoints: [path.join(ROOT, 'host-tools/src/workers/hil-worker.ts')], outfile: path.join(out, 'hil-worker.js'), bundle: true, platform: 'node',
    target: 'node20', format: 'cjs', packages: 'external', tsconfig: path.join(ROOT, 'tsconfig.json'), logLevel: 'silent',
  });
  dir = path.join(out, 'work');
  mkdirSync(path.join(dir, 'scenarios', 'more'), { recursive: true });
  copyFileSync(path.join(SC, 'accuracy/accuracy-100-1.0mm-normal.yaml'), path.join(dir, 'scenarios/accuracy.yaml'));
  copyFileSync(path.join(SC, 'faults/fault-jam-a.yaml'), path.join(dir, 'scenarios/more/jam.yaml'));
  copyFileSync(path.join(SC, 'protocol/host-commands.yaml'), path.join(dir, 'scenarios/host.yaml'));
  // the same run judged against a depth it was not set to: must fail, and say so
  const wrong = readFileSync(path.join(SC, 'accuracy/accuracy-100-1.0mm-normal.yaml'), 'utf8')
    .replace(/^name: .*$/m, 'name: wrong depth on purpose').replace('targetMm: 1', 'targetMm: 1.2');
  writeFileSync(path.join(dir, 'scenarios/more/wrong.yaml'), wrong);
});

afterAll(async () => {
  await h.cleanup();
});

test('a directory of scenarios: a line each, a failure with scenario, time, expected and seen; JUnit and a self-contained HTML report', async () => {
  const r = await h.run(['hil', path.join(dir, 'scenarios'), '--target', 'sim', '--jobs', '2', '--junit', path.join(dir, 'out.xml'), '--report', path.join(dir, 'report')]);
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toEqual(['stipple: 1 of 4 scenarios failed']);
  const lines = r.stdout.split('\n');
  expect(lines.filter((l) => l.startsWith('PASS  '))).toHaveLength(3);
  expect(lines.find((l) => l.startsWith('PASS  accuracy 100/s 1.0 mm normal'))).toMatch(/checks, depth RMS \d+\.\d µm worst \d+\.\d µm, rate ±0\.\d\d %/);
  expect(lines.find((l) => l.startsWith('PASS  fault jam'))).toMatch(/latched \d+ ms/);
  expect(lines.find((l) => l.startsWith('FAIL  wrong depth on purpose'))).toBeDefined();
  expect(r.stdout).toMatch(/wrong depth on purpose @ \d+\.\d{3} s: depth 1\.2 mm 0\.2–3\.2 s: expected RMS ≤ 20 µm, worst ≤ 50 µm around 1\.2 mm, seen RMS [12]\d\d\.\d µm/);
  expect(r.stdout).toMatch(/3 passed, 1 failed, 0 skipped, 0 errors in [\d.]+ s \(2 jobs, sim\)/);

  const xml = readFileSync(path.join(dir, 'out.xml'), 'utf8');
  expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="stipple hil" tests="4" failures="1" errors="0" skipped="0"/);
  expect((xml.match(/<testcase /g) ?? [])).toHaveLength(4);
  expect((xml.match(/<testsuite /g) ?? [])).toHaveLength(2); // one per directory
  expect(xml).toMatch(/<testcase classname="[^"]*more" name="wrong depth on purpose"[^>]*>\n\s*<failure message="wrong depth on purpose @ [\d.]+ s: depth 1\.2 mm/);
  expect(xml).toContain('name="fault jam at 1 mm 120/s"');

  const html = readFileSync(path.join(dir, 'report/index.html'), 'utf8');
  expect(html).toContain('uPlot');
  // nothing fetched: no script or stylesheet by URL, no url(), no fetch (uPlot's licence comment names its home page)
  expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|url\(\s*['"]?https?:|fetch\(|XMLHttpRequest|cdn\./i);
  for (const n of ['accuracy 100/s 1.0 mm normal', 'wrong depth on purpose', 'fault jam at 1 mm 120/s']) expect(html).toContain(n);
  expect(html).toMatch(/const DATA = \[\{"end":/); // plot data for every scenario
  const summary = JSON.parse(readFileSync(path.join(dir, 'report/summary.json'), 'utf8'));
  expect(summary).toMatchObject({ total: 4, passed: 3, failed: 1, ok: false });
  expect(existsSync(path.join(dir, 'report/junit.xml'))).toBe(true);
}, 120000);

test('--json: one summary object; exit 0 when every scenario passes', async () => {
  const r = await h.run(['hil', path.join(dir, 'scenarios/host.yaml'), path.join(dir, 'scenarios/more/jam.yaml'), '--json', '--jobs', '1']);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(j).toMatchObject({ target: 'sim', total: 2, passed: 2, failed: 0, ok: true, jobs: 1 });
  const jam = j.scenarios.find((s: { name: string }) => s.name.startsWith('fault jam'));
  expect(jam.outcomes.find((o: { kind: string }) => o.kind === 'fault')).toMatchObject({ pass: true, expected: expect.stringContaining('JAM within 100 ms') });
}, 60000);

test('a bad scenario file: one line naming the file and the field, nothing run', async () => {
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: bad\nduration: 2\nassert:\n  - depth: { targetMm: 2.5 }\n');
  const r = await h.run(['hil', bad]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim()).toBe(`stipple: ${bad}: assert.0.depth.targetMm: Too big: expected number to be <=2`);
  const t = await h.run(['hil', bad, '--target', 'usb']);
  expect(t.stderr.trim()).toBe('stipple: --target must be sim or serial:PATH (got "usb")');
});

(haveSocat ? test : test.skip)('--target serial: a pen on a PTY runs the host-only scenario, the others are skipped with the reason', async () => {
  const pty = path.join(path.dirname(h.cli), 'pen');
  const sim = await h.startSim(pty, ['--seed', '4', '--speed', '1']);
  try {
    const r = await h.run(['hil', path.join(dir, 'scenarios'), '--target', `serial:${pty}`, '--junit', path.join(dir, 'serial.xml')]);
    expect(r.stdout).toMatch(/PASS {2}host commands are answered and bad ones change nothing {2}\d+\/\d+ checks/);
    expect(r.stdout).toMatch(/SKIP {2}fault jam at 1 mm 120\/s: controls the simulator \(press at 0\.2 s\)/);
    expect(r.stdout).toMatch(/1 passed, 0 failed, 3 skipped, 0 errors .*serial:/);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'serial.xml'), 'utf8')).toMatch(/<skipped message="controls the simulator/);
  } finally {
    await h.stopSim(sim);
  }
}, 60000);
