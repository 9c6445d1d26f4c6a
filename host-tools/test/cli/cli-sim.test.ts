// info, flash and monitor end to end through the CLI process against `--port sim` (an
// in-process virtual pen), and how each fails: exit 1 with one line on stderr.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { schemaFingerprint } from '@stipple/protocol';
import { CliHarness, jsonLines } from './cli-harness';

let h: CliHarness;
let tmp: string;
beforeAll(() => {
  h = new CliHarness();
  tmp = mkdtempSync(path.join(tmpdir(), 'stipple-cli-sim-'));
});
afterAll(async () => {
  await h.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

/** Exit 1 and exactly one line on stderr, `stipple: <reason>`. */
function expectOneLineFailure(r: { code: number | null; stderr: string }, reason: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^stipple: /);
  expect(lines[0]).toMatch(reason);
}

test('info --json: identity, fingerprint, calibration, counters and the latched fault with its name', async () => {
  const r = await h.run(['info', '--port', 'sim', '--seed', '7', '--json']);
  expect(r.code).toBe(0);
  const i = JSON.parse(r.stdout);
  expect(i).toMatchObject({
    port: 'sim', firmware: '0.1.0', fingerprint: schemaFingerprint(), hostFingerprint: schemaFingerprint(), board: 'PICO',
    drive: 'voiceCoil', serial: 'SIM-V-000007', calibration: { status: 'missing', ageDays: null },
    latchedFault: { code: 14, name: 'UNCALIBRATED' }, state: { state: 'FAULT' },
  });
  expect(i.faultLog).toEqual([expect.objectContaining({ code: 14, name: 'UNCALIBRATED', date: null })]);
  expect(i.counters).toEqual(expect.objectContaining({ strokes: 0, faults: 1 }));
});

test('info in text: the calibration and its age on a bench build', async () => {
  const r = await h.run(['info', '--port', 'sim', '--variant', 'bench']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^pen SIM-V-000001 on sim\n/);
  expect(r.stdout).toMatch(/calibration {3}ok — 2026-01-01, \d+ days? old, by bench with gauge model/);
  expect(r.stdout).toMatch(/latched fault none/);
  expect(r.stdout).toMatch(/drive bench/);
});

test('flash --json on a virtual pen: direct scheme on a Pico, verified, new firmware greets', async () => {
  const r = await h.run(['flash', '--port', 'sim', '--json']);
  expect(r.code).toBe(0);
  const o = JSON.parse(r.stdout);
  expect(o).toMatchObject({ ok: true, scheme: 'direct', previous: { answered: true }, info: { fp: schemaFingerprint() } });
  expect(o.bytes).toBe(readFileSync(path.join(__dirname, '../../../firmware/dist/stipple.js')).length);
});

test('monitor --json --csv --run on a bench build: one record per line, the same records in the CSV, run started and stopped', async () => {
  const csv = path.join(tmp, 'run.csv');
  const r = await h.run(['monitor', '--port', 'sim', '--variant', 'bench', '--run', '1.1,100', '--duration', '2', '--every', '20', '--json', '--csv', csv]);
  expect(r.code).toBe(0);
  const lines = jsonLines(r.stdout);
  const tlm = lines.filter((l) => l.kind === 'tlm');
  // 2 s at 100 strokes/s in records of 20 strokes
  expect(tlm.length).toBeGreaterThanOrEqual(8);
  expect(tlm.length).toBeLessThanOrEqual(11);
  for (const t of tlm) {
    expect(t).toEqual(expect.objectContaining({ setUm: 1100, rate: 100 }));
    expect(Math.abs((t.n as number) - 20)).toBeLessThanOrEqual(2); // a record closes at the first stroke boundary past 20
    expect(Math.abs((t.depthUm as number) - 1100)).toBeLessThan(60);
  }
  const states = lines.filter((l) => l.kind === 'state').map((l) => `${l.prev}>${l.state}`);
  expect(states).toEqual(['READY>RUNNING', 'RUNNING>READY']);
  expect(lines.at(-1)).toMatchObject({ kind: 'end', endedBy: 'duration', records: tlm.length, lost: 0, fault: null });
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  expect(rows[0]).toBe('hostMs,seq,t,setUm,depthUm,rate,duty,mA,dC,state,fault,warn,inSkin,n');
  expect(rows).toHaveLength(tlm.length + 1);
  expect(rows[1]!.split(',')[4]).toBe(String(tlm[0]!.depthUm));
});

test('monitor in text (not a terminal): one line per record and per event, then a summary', async () => {
  const r = await h.run(['monitor', '--port', 'sim', '--variant', 'bench', '--run', '0.8,120', '--duration', '1']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^event 0\.\d+ s {2}state READY → RUNNING$/m);
  expect(r.stdout).toMatch(/^t \d+\.\d{3} s {2}depth 0\.\d{3} mm set 0\.800 \([+-]\d+ µm\) {2}rate 120\/s {2}drive [\d.]+ % \d+ mA {2}[\d.]+ °C {2}RUNNING$/m);
  expect(r.stdout).toMatch(/^stopped after the duration: \d+ records in 1\.0 s, 0 lost$/m);
  expect(r.stdout).not.toMatch(/\x1b\[/); // no colour, no cursor movement off a terminal
});

test('failures: one line, exit 1', async () => {
  expectOneLineFailure(await h.run(['info', '--port', path.join(tmp, 'no-such-port')]), /cannot open .*no-such-port: No such file or directory/);
  expectOneLineFailure(await h.run(['monitor', '--port', 'sim', '--run', '3,120']), /--run wants depth,rate with depth 0\.2…2 mm/);
  expectOneLineFailure(await h.run(['monitor', '--port', 'sim', '--duration', '-1']), /--duration must be a positive number/);
  expectOneLineFailure(await h.run(['info', '--port', 'sim', '--variant', 'piezo']), /--variant must be one of voiceCoil, stepper, bench/);
  expectOneLineFailure(await h.run(['flash', '--port', 'sim', '--bundle', path.join(tmp, 'nope.js')]), /nope\.js does not exist/);
  // a device build refuses a host run while uncalibrated (the CLI knows a sim pen's secret, so it got into SERVICE)
  expectOneLineFailure(await h.run(['monitor', '--port', 'sim', '--run', '1,120', '--duration', '1']), /the pen refused runStart: NOT_ALLOWED: not calibrated/);
});
