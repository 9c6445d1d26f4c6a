// info, flash and monitor end to end against a virtual pen served on a real PTY by
// `stipple sim --pty` (a child process), through serialport, on the wall clock: what a
// technician's pen on /dev/ttyACM0 looks like to the CLI. Skipped only without socat.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { schemaFingerprint } from '@stipple/protocol';
import { CliHarness, haveSocat, jsonLines, processesMentioning, ROOT } from './cli-harness';
import type { SimServer } from './cli-harness';

if (!haveSocat) console.warn('SKIPPED stipple info/flash/monitor PTY tests: socat is not installed (apt-get install socat)'); // eslint-disable-line no-console
const describeIfSocat = haveSocat ? describe : describe.skip;

const BENCH = path.join(ROOT, 'firmware/dist/stipple-bench.js');
const DEVICE = path.join(ROOT, 'firmware/dist/stipple.js');

describeIfSocat('info, flash and monitor over a PTY', () => {
  let h: CliHarness;
  let tmp: string;
  let pty: string;
  let server: SimServer;

  beforeAll(async () => {
    h = new CliHarness();
    tmp = mkdtempSync(path.join(tmpdir(), 'stipple-cli-pty-'));
    pty = path.join(tmp, 'pen');
    server = await h.startSim(pty, ['--seed', '4']);
  });

  afterAll(async () => {
    await h.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Start `stipple flash`, signal it once the upload is `afterMs` under way, and return its result. */
  async function interruptedFlash(signal: NodeJS.Signals, afterMs: number) {
    let timer: NodeJS.Timeout | undefined;
    const run = h.spawn(['flash', '--port', pty, '--bundle', DEVICE], (out) => {
      if (!timer && /uploading \d+ B as \.bootcde/.test(out)) timer = setTimeout(() => run.child.kill(signal), afterMs);
    });
    return run.done;
  }

  test('info: the device firmware, uncalibrated', async () => {
    const r = await h.run(['info', '--port', pty, '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({
      port: pty, serial: 'SIM-V-000004', drive: 'voiceCoil', fingerprint: schemaFingerprint(), latchedFault: { name: 'UNCALIBRATED' },
    });
  });

  test('flash the bench build: uploaded at line rate, verified, booted, greets as bench', async () => {
    const r = await h.run(['flash', '--port', pty, '--bundle', BENCH, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o).toMatchObject({ ok: true, scheme: 'direct', bytes: readFileSync(BENCH).length, previous: { answered: true, drive: 'voiceCoil' } });
    expect(o.info).toMatchObject({ drive: 'bench', fp: schemaFingerprint(), cal: { status: 'ok' } });
    // 115200 Bd: 10 bits a byte, plus a packet's ACK turnaround per KB
    const lineRateMs = (o.bytes * 10) / 115.2;
    expect(o.uploadMs).toBeGreaterThan(lineRateMs * 0.95);
    expect(o.uploadMs).toBeLessThan(lineRateMs * 1.6);
    console.log(`flash over the PTY: ${o.bytes} B uploaded in ${(o.uploadMs / 1000).toFixed(2)} s (line rate ${(lineRateMs / 1000).toFixed(2)} s), whole flash ${(o.wallMs / 1000).toFixed(2)} s`); // eslint-disable-line no-console
  });

  test('monitor a host-driven run on it: records in JSON and CSV', async () => {
    const csv = path.join(tmp, 'pty.csv');
    const r = await h.run(['monitor', '--port', pty, '--run', '1.0,120', '--duration', '1.5', '--json', '--csv', csv]);
    expect(r.stderr).toBe('');
    const lines = jsonLines(r.stdout);
    const tlm = lines.filter((l) => l.kind === 'tlm');
    expect(tlm.length).toBeGreaterThanOrEqual(6); // 1.5 s at 120/s, 20 strokes a record: ~9
    for (const t of tlm) expect(Math.abs((t.depthUm as number) - 1000)).toBeLessThan(60);
    expect(lines.at(-1)).toMatchObject({ kind: 'end', endedBy: 'duration', lost: 0 });
    expect(readFileSync(csv, 'utf8').trim().split('\n')).toHaveLength(tlm.length + 1);
  });

  test('Ctrl-C during the upload: one line saying the pen waits at a bare REPL; info then says it runs no firmware', async () => {
    const r = await interruptedFlash('SIGINT', 1000);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^stipple: flash failed: upload interrupted \(upload of \.bootcde stopped after \d+ of \d+ bytes\); the pen has no firmware now and waits at a bare REPL \(drive off\): run `stipple flash` again$/);
    const info = await h.run(['info', '--port', pty]);
    expect(info.code).toBe(1);
    expect(info.stderr.trim()).toBe(`stipple: the pen on ${pty} runs no Stipple firmware (its REPL refused the protocol packet); flash it with \`stipple flash --port ${pty}\``);
  });

  test('a flash killed outright mid-upload leaves a partial file; flashing again recovers the pen', async () => {
    const killed = await interruptedFlash('SIGKILL', 1500);
    expect(killed.code).toBe(null);
    const r = await h.run(['flash', '--port', pty, '--bundle', DEVICE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/before: {2}no Stipple firmware answered/);
    expect(r.stdout).toMatch(/✓ pen SIM-V-000004 runs firmware 0\.1\.0/);
    const info = await h.run(['info', '--port', pty, '--json']);
    expect(JSON.parse(info.stdout)).toMatchObject({ drive: 'voiceCoil', calibration: { status: 'ok' } }); // the bench build's calibration record stays
  });

  test('the server stopped under a monitor: the monitor says it lost the pen at once; exit 0, PTY gone, no socat or CLI left', async () => {
    let watching: () => void = () => undefined;
    const ready = new Promise<void>((r) => { watching = r; });
    const mon = h.spawn(['monitor', '--port', pty], (out) => { if (out.includes('telemetry flows while the pen runs')) watching(); });
    await ready;
    const t0 = Date.now();
    const stopped = h.stopSim(server);
    const r = await mon.done;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`stipple: lost the pen: ${pty} closed (pen unplugged or reset, or the simulator stopped)`);
    expect(await stopped).toBe(0);
    expect(existsSync(pty)).toBe(false);
    expect(processesMentioning(tmp)).toEqual([]);
  });
});
