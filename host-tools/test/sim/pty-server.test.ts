// `stipple sim --pty`: a child process serving a virtual pen on a PTY, opened here with
// serialport as a client tool would open a USB serial port.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { SerialPort } from 'serialport';
import { schemaFingerprint } from '@stipple/protocol';
import { PenClient } from '@stipple/host-tools/link';
import { SerialTransport } from '@stipple/host-tools/link/serial-transport';
import { parseGaugeLine } from '@stipple/host-tools/sim/pty/gauge-line';

const ROOT = path.resolve(__dirname, '../../..');
const haveSocat = spawnSync('socat', ['-V']).status === 0;
if (!haveSocat) console.warn('SKIPPED stipple sim --pty tests: socat is not installed (apt-get install socat)'); // eslint-disable-line no-console
const describeIfSocat = haveSocat ? describe : describe.skip;

/** The CLI bundled fresh from source (next to dist/, so it finds firmware/dist like the real one). */
function bundleCli(): { cli: string; dir: string } {
  const dir = mkdtempSync(path.join(ROOT, 'host-tools', 'dist', 'test-sim-cli-'));
  const cli = path.join(dir, 'main.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'host-tools/src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20',
    format: 'cjs', packages: 'external', tsconfig: path.join(ROOT, 'tsconfig.json'), logLevel: 'silent',
  });
  return { cli, dir };
}

interface Server {
  child: ChildProcess;
  ready: Record<string, unknown>;
  stdout: () => string;
  exited: Promise<number | null>;
}

async function startServer(cli: string, args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [cli, 'sim', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ready line; stderr: ${err}`)), 20000);
    const check = (): void => {
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) { clearTimeout(t); resolve(JSON.parse(line)); }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => { clearTimeout(t); reject(new Error(`sim exited (${code}): ${err}`)); });
  });
  return { child, ready, stdout: () => out, exited };
}

/** Processes whose command line mentions `s` (to prove no socat is left behind). */
function processesMentioning(s: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(s)) pids.push(Number(p));
    } catch { /* gone */ }
  }
  return pids;
}

function openPort(p: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path: p, baudRate: 115200, autoOpen: false });
    port.open((e) => (e ? reject(e) : resolve(port)));
  });
}

const closePort = (port: SerialPort): Promise<void> => new Promise((r) => (port.isOpen ? port.close(() => r()) : r()));

/** Collect text from `port` until `pred` holds or `ms` pass. */
function collect(port: SerialPort, pred: (s: string) => boolean, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    const onData = (b: Buffer): void => {
      s += b.toString('latin1');
      if (pred(s)) { clearTimeout(t); port.off('data', onData); resolve(s); }
    };
    const t = setTimeout(() => { port.off('data', onData); reject(new Error(`timed out; got ${JSON.stringify(s.slice(-300))}`)); }, ms);
    port.on('data', onData);
  });
}

describeIfSocat('stipple sim --pty', () => {
  let bundle: { cli: string; dir: string };
  let tmp: string;
  let server: Server | undefined;
  const ports: SerialPort[] = [];

  beforeAll(async () => {
    bundle = bundleCli();
    tmp = mkdtempSync(path.join(tmpdir(), 'stipple-sim-test-'));
    server = await startServer(bundle.cli, ['--pty', path.join(tmp, 'pen'), '--gauge-pty', path.join(tmp, 'gauge'), '--seed', '3']);
  });

  afterAll(async () => {
    for (const p of ports) await closePort(p);
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(tmp, { recursive: true, force: true });
    rmSync(bundle.dir, { recursive: true, force: true });
  });

  test('announces the pen and both ports', () => {
    expect(server!.ready).toMatchObject({ pty: path.join(tmp, 'pen'), gaugePty: path.join(tmp, 'gauge'), serial: 'SIM-V-000003', seed: 3 });
    expect(existsSync(path.join(tmp, 'pen'))).toBe(true);
  });

  test('REPL round trip through the PTY', async () => {
    const port = await openPort(path.join(tmp, 'pen'));
    ports.push(port);
    const got = collect(port, (s) => s.includes('=42'));
    port.write('6*7\r');
    expect(await got).toContain('6*7\r\n=42\r\n');
    await closePort(port);
    // a second client after the first closed: the server is still there
    const again = await openPort(path.join(tmp, 'pen'));
    ports.push(again);
    const got2 = collect(again, (s) => s.includes('=5'));
    again.write('2+3\r');
    expect(await got2).toContain('=5');
    await closePort(again);
  });

  test('PenClient over SerialTransport: hello and status through the PTY, in real time', async () => {
    const transport = await SerialTransport.open(path.join(tmp, 'pen'));
    const client = new PenClient(transport, { hostName: 'pty-test' });
    try {
      const info = await client.connect();
      expect(info).toMatchObject({ serial: 'SIM-V-000003', fp: schemaFingerprint(), drive: 'voiceCoil' });
      expect((await client.status()).uptimeMs).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  test('the gauge streams readings at ~10 Hz and answers ? and R at once', async () => {
    const port = await openPort(path.join(tmp, 'gauge'));
    ports.push(port);
    const t0 = Date.now();
    const text = await collect(port, (s) => s.split('\n').length > 6);
    const lines = text.split('\n').slice(0, 5);
    for (const l of lines) expect(parseGaugeLine(l + '\n')).toEqual(expect.any(Number));
    const v = parseGaugeLine(lines[1] + '\n')!;
    expect(Math.abs(v)).toBeLessThan(3); // a resting needle is within the stroke range
    expect(Date.now() - t0).toBeGreaterThan(300); // streamed, not a burst (serialport flushed any backlog on open)
    // requests: one line each, well before the next streamed one would explain them
    const before = Date.now();
    const reply = collect(port, (s) => s.split('\n').length > 2, 2000);
    port.write('?R');
    await reply;
    expect(Date.now() - before).toBeLessThan(150);
    await closePort(port);
  });

  test('SIGTERM stops it cleanly: exit 0, links removed, no socat left', async () => {
    const s = server!;
    // the public paths link into the server's private folders, named on socat's command line
    const dirs = ['pen', 'gauge'].map((f) => path.dirname(readlinkSync(path.join(tmp, f))));
    expect(dirs.flatMap(processesMentioning).length).toBeGreaterThan(0);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const stopped = JSON.parse(s.stdout().trim().split('\n').pop()!);
    expect(stopped).toMatchObject({ event: 'stopped', error: null });
    expect(stopped.virtualSeconds).toBeGreaterThan(0.3);
    expect(readdirSync(tmp).filter((f) => f === 'pen' || f === 'gauge')).toEqual([]);
    expect(dirs.flatMap(processesMentioning)).toEqual([]);
    for (const d of dirs) expect(existsSync(d)).toBe(false);
  });

  test('even after SIGKILL no socat is left; the dangling link is replaced by the next server', async () => {
    const p = path.join(tmp, 'pen2');
    const s = await startServer(bundle.cli, ['--pty', p, '--speed', '5']);
    const dir = path.dirname(readlinkSync(p));
    expect(processesMentioning(dir).length).toBeGreaterThan(0);
    s.child.kill('SIGKILL');
    await s.exited;
    const deadline = Date.now() + 5000;
    while ((existsSync(p) || processesMentioning(dir).length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesMentioning(dir)).toEqual([]);
    expect(existsSync(p)).toBe(false); // socat removed its PTY links: ours dangles (opening it fails with ENOENT)
    const again = await startServer(bundle.cli, ['--pty', p]);
    expect(existsSync(p)).toBe(true);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true }); // the killed server's empty private folder
  });

  test('refuses a path that is a regular file, with a one-line reason', () => {
    const f = path.join(tmp, 'file');
    writeFileSync(f, 'x');
    const r = spawnSync(process.execPath, [bundle.cli, 'sim', '--pty', f], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^stipple: .*exists and is not a PTY link/);
    expect(existsSync(f)).toBe(true);
  });
});
