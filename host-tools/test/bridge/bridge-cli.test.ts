// `stipple bridge` as an operator runs it (a child process of the bundled CLI): with no
// --broker it brings its own broker on localhost and a virtual pen's topics show in any
// MQTT client (mosquitto_sub where installed); Ctrl-C takes everything offline cleanly; a
// killed bridge's last will marks it offline on Aedes and on mosquitto; bad options are
// one line on stderr.
jest.mock('aedes', () => require('./aedes-cjs').loadAedesCjs());
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/bridge/mosquitto-process';
import { CliHarness, jsonLines } from '../cli/cli-harness';
import { AedesBroker, haveMosquitto, MosquittoBroker } from './test-brokers';
import type { TestBroker } from './test-brokers';
import { Watcher } from './watcher';

const haveMosquittoSub = spawnSync('sh', ['-c', 'command -v mosquitto_sub']).status === 0;

let cli: CliHarness;
let state: string;
beforeAll(() => {
  cli = new CliHarness();
  state = mkdtempSync(path.join(tmpdir(), 'stipple-bridge-cli-'));
});
afterAll(async () => {
  await cli.cleanup();
  rmSync(state, { recursive: true, force: true });
});

/** Resolves with the first JSON log line of `event` after the first `skip` of them. */
function waitEvent(out: () => string, event: string, timeoutMs = 30000, skip = 0): Promise<Record<string, unknown>> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const e = jsonLines(out()).filter((l) => l.event === event)[skip];
      if (e) resolve(e);
      else if (Date.now() > end) reject(new Error(`no "${event}" within ${timeoutMs} ms:\n${out()}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

test('no --broker: an embedded broker on localhost, the virtual pen\'s topics in a subscriber, Ctrl-C takes it all offline', async () => {
  const port = await freePort();
  let out = '';
  const { child, done } = cli.spawn(['bridge', '--port', 'sim', '--listen', String(port), '--json', '--sim-speed', '5', '--state-dir', path.join(state, 'embedded'), '--stats-every', '1'], (o) => { out = o; });
  const started = await waitEvent(() => out, 'embedded-broker');
  expect(started.url).toBe(`mqtt://localhost:${port}`);
  expect(String(started.msg)).toMatch(/no --broker given: started an embedded MQTT broker/);
  const w = await Watcher.connect(`mqtt://127.0.0.1:${port}`);
  await w.waitFor(() => ['status', 'info', 'counters', 'calibration'].every((k) => w.of(k, 'SIM-V-000001').length > 0) && w.of('telemetry', 'SIM-V-000001').some((m) => m.payload.strokes > 0), 30000, 'the pen\'s topics');
  if (haveMosquittoSub) {
    const sub = spawnSync('mosquitto_sub', ['-h', 'localhost', '-p', String(port), '-t', 'stipple/#', '-v', '-W', '2'], { encoding: 'utf8' });
    const topics = new Set(sub.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[0]));
    for (const leaf of ['status', 'info', 'counters', 'calibration', 'telemetry']) expect(topics).toContain(`stipple/v1/SIM-V-000001/${leaf}`);
  }
  // a stats line logged once the pen was seen online (one from before it opened says 0)
  const statsBefore = jsonLines(out).filter((l) => l.event === 'stats').length;
  const stats = await waitEvent(() => out, 'stats', 30000, statsBefore);
  expect(stats).toMatchObject({ connected: true, mqtt: '3.1.1', pensOnline: 1, cpuPct: expect.any(Number), rssMb: expect.any(Number) });
  child.kill('SIGINT');
  const r = await done;
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  expect(jsonLines(r.stdout).find((l) => l.event === 'bridge-stopped')).toMatchObject({ queue: { pending: 0 } });
  // the last statuses before the broker went away with the bridge
  expect(w.of('status', 'SIM-V-000001').at(-1)!.payload).toMatchObject({ status: 'offline', reason: 'bridge stopped' });
  expect(w.of('bridgeStatus').at(-1)!.payload).toMatchObject({ status: 'offline', reason: 'stopped' });
  expect(w.invalid).toEqual([]);
  await w.close();
});

const brokers: [string, () => Promise<TestBroker>][] = [['aedes', () => AedesBroker.start()]];
if (haveMosquitto) brokers.push(['mosquitto', () => MosquittoBroker.start()]);

test.each(brokers)('a killed bridge: its last will marks it offline (%s)', async (_name, start) => {
  const broker = await start();
  const w = await Watcher.connect(broker.url);
  try {
    let out = '';
    const { child, done } = cli.spawn(['bridge', '--port', 'sim', '--variant', 'bench', '--broker', broker.url, '--bridge-id', 'will-test', '--json', '--state-dir', path.join(state, `will-${_name}`)], (o) => { out = o; });
    await waitEvent(() => out, 'pen-online');
    await w.waitFor(() => w.of('bridgeStatus').some((m) => m.payload.status === 'online' && m.payload.pens.length === 1), 10000, 'the bridge online');
    child.kill('SIGKILL');
    await done;
    await w.waitFor(() => w.of('bridgeStatus').at(-1)?.payload.status === 'offline', 10000, 'the last will');
    const will = w.of('bridgeStatus').at(-1)!;
    expect(will.topic).toBe('stipple/v1/_bridge/will-test/status');
    expect(will.payload).toMatchObject({ bridge: 'will-test', status: 'offline', reason: 'connection lost (last will)' });
    // retained: a dashboard that connects later sees the bridge offline
    const late = await Watcher.connect(broker.url);
    await late.waitFor(() => late.of('bridgeStatus').length > 0, 5000, 'the retained bridge status');
    expect(late.of('bridgeStatus')[0]).toMatchObject({ retain: true, payload: { status: 'offline', reason: 'connection lost (last will)' } });
    await late.close();
    expect(w.invalid).toEqual([]);
  } finally {
    await w.close();
    await broker.stop();
  }
});

test('bad options: one line on stderr, exit 1, nothing started', async () => {
  const cases: [string[], RegExp][] = [
    [['--port', 'sim', '--broker', 'mqtt://user:secret@localhost:1883'], /password: give credentials in STIPPLE_MQTT_USERNAME\/STIPPLE_MQTT_PASSWORD or --credentials-file, never on the command line/],
    [['--ports', 'usb'], /--ports takes only "auto"/],
    [[], /no pens: give --port P/],
    [['--port', 'sim', '--prefix', 'a/+/b'], /--prefix must not contain the wildcards/],
    [['--port', 'sim', '--ca', '/nonexistent/ca.pem', '--broker', 'mqtts://localhost:8883'], /cannot read the CA certificate \/nonexistent\/ca.pem/],
    [['--port', 'sim', '--credentials-file', '/nonexistent/creds'], /cannot read the credentials file/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli.run(['bridge', ...args, '--state-dir', path.join(state, 'bad')])));
  results.forEach((r, i) => {
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(cases[i]![1]);
  });
  // the embedded broker's port already taken
  const port = await freePort();
  const blocker = await AedesBroker.start({}, port);
  try {
    const r = await cli.run(['bridge', '--port', 'sim', '--listen', String(port), '--state-dir', path.join(state, 'busy')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`127.0.0.1:${port} is in use .*--broker mqtt://localhost:${port}`));
  } finally {
    await blocker.stop();
  }
});
