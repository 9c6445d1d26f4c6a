// `stipple calibrate` end to end, as a technician runs it: on an in-process virtual pen
// (--port sim --gauge sim), and over real PTYs (a `stipple sim --pty` pen served here,
// opened by the CLI through serialport) with the rig's serial gauge, with Ctrl-C, and with
// the manual gauge typed into a real pseudo-terminal (`script`). After the PTY
// calibration, a practitioner's run on the handset holds depth within the acceptance.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SimPtyServer } from '@stipple/host-tools/sim/pty/pty-server';
import { CliHarness, haveSocat, ROOT } from './cli-harness';

const haveScript = spawnSync('script', ['--version']).status === 0;
if (!haveSocat) console.warn('SKIPPED stipple calibrate over a PTY: socat is not installed (apt-get install socat)'); // eslint-disable-line no-console
const describeIfSocat = haveSocat ? describe : describe.skip;
const testIfScript = haveScript ? test : test.skip;

let h: CliHarness;
let dir: string;
beforeAll(() => {
  h = new CliHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'stipple-calibrate-'));
});
afterAll(async () => {
  await h.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('--port sim --gauge sim --json: PASS, the three files; --restore then has nothing older', async () => {
  const out = path.join(dir, 'sim');
  const r = await h.run(['calibrate', '--port', 'sim', '--seed', '4', '--gauge', 'sim', '--technician', 'CI', '--out', out, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(j.ok).toBe(true);
  expect(j.deviceTimeS).toBeLessThanOrEqual(20);
  expect(j.verification.worstUm).toBeLessThanOrEqual(20);
  expect(j.calibration.meta.technician).toBe('CI');
  for (const f of Object.values(j.files as Record<string, string>)) expect(existsSync(f)).toBe(true);
  expect(readFileSync(j.files.html, 'utf8')).toContain('PASS');
  const rs = await h.run(['calibrate', '--port', 'sim', '--seed', '4', '--restore']);
  expect(rs.code).toBe(1);
  expect(rs.stderr.trim().split('\n')).toHaveLength(1);
  expect(rs.stderr).toMatch(/no previous calibration/);
}, 60000);

test('usage errors are one line and exit 1', async () => {
  for (const [args, why] of [
    [['calibrate', '--port', 'sim'], /--gauge is required/],
    [['calibrate', '--port', 'sim', '--gauge', 'laser'], /--gauge must be sim, manual or serial/],
    [['calibrate', '--port', 'sim', '--gauge', 'serial:/dev/null'], /serial gauge runs in real time/],
    [['calibrate', '--port', 'sim', '--gauge', 'manual'], /manual gauge needs a technician at a terminal/],
  ] as [string[], RegExp][]) {
    const r = await h.run(args);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(why);
  }
}, 60000);

const strip = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');

describeIfSocat('over PTYs', () => {
  let server: SimPtyServer | undefined;
  const pty = (name: string): string => path.join(dir, name);
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('serial gauge over a PTY: calibrated and written; the practitioner\'s next run holds depth within 20 µm', async () => {
    server = await SimPtyServer.start({ seed: 3, ptyPath: pty('pen-a'), gaugePtyPath: pty('gauge-a') });
    const out = path.join(dir, 'pty');
    const r = await h.run(['calibrate', '--port', pty('pen-a'), '--gauge', `serial:${pty('gauge-a')}`, '--secret', server.pen.secret, '--yes', '--technician', 'CI', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS {2}SIM-V-000003 calibrated and written/);
    expect(r.stdout).toMatch(/» Mount the pen in the gauge stand/);
    // the follow-up run: a practitioner presses run on the handset (preset "hairline", 0.8 mm at 120/s)
    const hw = server.pen.hardware;
    const board = server.pen.board;
    hw.conditions.setSkin('normal');
    hw.handset.press('BTN_RUN', 80);
    await new Promise((res) => setTimeout(res, 900));
    const from = board.now;
    await new Promise((res) => setTimeout(res, 700));
    const s = hw.gauge.strokes(from);
    hw.handset.press('BTN_RUN', 80);
    expect(s.length).toBeGreaterThan(50);
    const mean = s.reduce((a, x) => a + x.bottomMm, 0) / s.length;
    expect(Math.abs(mean - 0.8) * 1000).toBeLessThanOrEqual(20);
  }, 90000);

  test('Ctrl-C during the calibration: exit 130, one line, the pen left safe with no calibration', async () => {
    server = await SimPtyServer.start({ seed: 6, ptyPath: pty('pen-b'), gaugePtyPath: pty('gauge-b') });
    const run = h.spawn(['calibrate', '--port', pty('pen-b'), '--gauge', `serial:${pty('gauge-b')}`, '--secret', server.pen.secret, '--yes', '--out', path.join(dir, 'int')], (o) => {
      if (/actuator:/.test(o) && run.child.exitCode === null && !sent) {
        sent = true;
        run.child.kill('SIGINT');
      }
    });
    let sent = false;
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('stipple:'))).toHaveLength(1);
    expect(r.stderr).toMatch(/calibration failed at \w+: calibration aborted/);
    await new Promise((res) => setTimeout(res, 300));
    expect(server.pen.hardware.gauge.protrusionMm()).toBeLessThan(-0.6);
    const info = await h.run(['info', '--port', pty('pen-b'), '--json']);
    const j = JSON.parse(info.stdout);
    expect(JSON.stringify(j)).toMatch(/"missing"/);
    expect(JSON.stringify(j)).not.toMatch(/"SERVICE"/);
  }, 90000);

  testIfScript('manual gauge typed into a real pseudo-terminal, with a misread retaken', async () => {
    server = await SimPtyServer.start({ seed: 5, ptyPath: pty('pen-c') });
    const hw = server.pen.hardware;
    const board = server.pen.board;
    const cmd = [process.execPath, h.cli, 'calibrate', '--port', pty('pen-c'), '--gauge', 'manual', '--gauge-id', 'DIAL-7', '--secret', server.pen.secret, '--technician', 'CI', '--out', path.join(dir, 'manual')]
      .map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    let handled = 0;
    let dial = 0;
    let runFrom = 0;
    const prompts: string[] = [];
    const answer = (s: string): void => { child.stdin.write(s + '\r'); };
    child.stdout.on('data', (b: Buffer) => {
      seen += strip(b.toString());
      for (;;) {
        const rest = seen.slice(handled);
        const m = /(Press Enter when done: |\(mm\): )/.exec(rest);
        if (!m) return;
        const upto = handled + m.index + m[0].length;
        const prompt = seen.slice(seen.lastIndexOf('»', upto), upto);
        handled = upto;
        prompts.push(prompt);
        if (/Mount the pen in the gauge stand/.test(prompt)) { hw.conditions.setSkin('air'); answer(''); }
        else if (/reference skin phantom/.test(prompt)) { hw.conditions.setSkin('normal'); answer(''); }
        else if (/Reset the dial's max pointer/.test(prompt)) { runFrom = board.now; answer(''); }
        else if (/max pointer reading/.test(prompt)) answer(Math.max(...hw.gauge.strokes(runFrom).map((x) => x.bottomMm)).toFixed(3));
        else if (/dial reading/.test(prompt)) {
          // the technician: a slip of the keyboard first, later a misread dial, each retaken
          dial++;
          const mm = hw.gauge.protrusionMm();
          answer(dial === 1 ? 'abc' : dial === 4 ? (mm + 1.5).toFixed(3) : mm.toFixed(3));
        }
      }
    });
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(seen).toMatch(/type the reading in mm/); // 'abc' refused
    expect(seen).toMatch(/from where the pen expects the needle/); // the misread questioned, then retaken
    if (!/PASS {2}SIM-V-000005/.test(seen)) console.log(seen.slice(-3000));
    expect(seen).toMatch(/PASS {2}SIM-V-000005 calibrated and written/);
    expect(code).toBe(0);
    const reportFile = seen.match(/record +(\S+\.json)/)![1];
    const rep = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(rep.gauge).toEqual({ id: 'DIAL-7', kind: 'manual' });
    expect(rep.verification.points.every((p: { gaugeKind: string }) => p.gaugeKind === 'max')).toBe(true);
  }, 120000);
});
