// The web console in Debian's Chromium, headless, driven by playwright-core, against a real
// `stipple console --sim` process: the page loads (nothing fetched from elsewhere),
// connects, runs the guided calibration with the virtual pen's rig, runs the pen from the
// virtual handset, shows a fault latched and clears it; a malformed message changes
// nothing; a Web Serial port (a stand-in for navigator.serial that forwards to the virtual
// pen) is reached through @espruino-tools/core's connection layer. Skips with a message
// when /usr/bin/chromium is missing (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { CliHarness, ROOT } from '../cli/cli-harness';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the web console browser tests: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`);
// The screenshot goes to a scratch file; STIPPLE_UPDATE_DOCS=1 writes docs/console.png instead, so that a
// plain `npm test` leaves the working tree as it found it.
const SCREENSHOT = process.env.STIPPLE_UPDATE_DOCS === '1'
  ? path.join(ROOT, 'docs', 'console.png')
  : path.join(tmpdir(), `stipple-console-${process.pid}.png`);

/** What the stand-in navigator.serial (serial-stand-in.js) recorded. */
interface SerialStandInRecord {
  requestPort: number;
  open: { baudRate?: number } | null;
  written: number;
  read: number;
  chunkTypes: string[];
}

// The page's globals inside page functions: these tests are type-checked without the DOM's types.
// (Page functions, not strings: the page's content security policy forbids eval.)
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Ready { url: string; serial: string; secret: string; pid: number }

(haveChromium ? describe : describe.skip)('web console in Chromium against stipple console --sim', () => {
  let cli: CliHarness;
  let ready: Ready;
  let context: BrowserContext;
  let userDir: string;
  let serverExit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  let stopServer: () => void;

  beforeAll(async () => {
    // the page from its sources, as `npm run build` makes it
    const b = spawnSync(process.execPath, [path.join(ROOT, 'host-tools/web/build.mjs')], { encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`page build failed: ${b.stderr}`);
    cli = new CliHarness();
    let gotReady: (r: Ready) => void = () => undefined;
    const readyP = new Promise<Ready>((r) => { gotReady = r; });
    const { child, done } = cli.spawn(['console', '--sim', '--seed', '1', '--listen', '127.0.0.1:0', '--json'], (out) => {
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) gotReady(JSON.parse(line) as Ready);
    });
    serverExit = done;
    stopServer = () => child.kill('SIGTERM');
    ready = await Promise.race([readyP, done.then((r) => { throw new Error(`stipple console exited (${r.code}): ${r.stderr}`); })]);
    userDir = mkdtempSync(path.join(tmpdir(), 'stipple-chromium-'));
    context = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 1500 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await context?.close();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
    await cli?.cleanup();
  });

  async function open(): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
    const page = await context.newPage();
    const foreign: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(ready.url) && !r.url().startsWith(ready.url.replace('http', 'ws')) && !r.url().startsWith('blob:')) foreign.push(r.url()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(ready.url);
    return { page, foreign, errors };
  }

  const points = (page: Page): Promise<number> => page.getAttribute('#plot-depth', 'data-points').then(Number);
  const messages = (page: Page): Promise<string> => page.textContent('#messages').then((t) => t ?? '');

  test('connect, calibrate with the sim gauge, run on the handset, latch a fault and clear it; the manual gauge form, abort', async () => {
    const { page, foreign, errors } = await open();
    try {
    await page.click('#connect-server');
    await page.waitForSelector('body[data-connected="true"][data-link="websocket"]');
    expect(await page.textContent('#pen-serial')).toBe(ready.serial);
    // a new virtual pen, as from the factory: no calibration, UNCALIBRATED latched, explained
    expect(await page.getAttribute('#pen-calibration', 'data-status')).toBe('missing');
    expect(await page.getAttribute('#fault-box', 'data-fault')).toBe('UNCALIBRATED');
    expect(await page.textContent('#fault-box')).toContain('calibrate the pen');
    expect(await page.inputValue('#secret')).toBe(ready.secret);

    // guided calibration: the library's calibratePen with the virtual pen's rig over the gauge channel
    await page.fill('#cal-technician', 'A. Trainer');
    expect(await page.inputValue('#cal-gauge')).toBe('sim');
    await page.click('#cal-start');
    await page.waitForSelector('body[data-calibrating="true"]');
    await page.waitForSelector('#cal-status.pass, #cal-status.fail', { timeout: 60000 });
    expect(await page.textContent('#cal-status')).toMatch(/^PASS: SIM-V-000001 calibrated and written/);
    expect(await page.$$eval('#cal-steps progress', (ps) => ps.map((p) => Number(p.getAttribute('value'))))).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(await page.textContent('#cal-log')).toMatch(/verification: 9 points within 20 µm/);
    const cert = page.frameLocator('#certificate');
    await expect(cert.locator('.banner.ok').textContent()).resolves.toContain('PASS');
    await expect(cert.locator('body').textContent()).resolves.toContain(`${ready.serial}`);
    await page.waitForSelector('#pen-calibration[data-status="ok"]');
    await page.waitForSelector('#fault-box[data-fault=""]');
    await page.waitForFunction(() => document.body.dataset.state === 'READY');

    // the virtual handset's run button runs the active preset: the depth plot grows
    const before = await points(page);
    await page.click('#btn-run');
    await page.waitForFunction(() => document.body.dataset.state === 'RUNNING');
    await page.waitForFunction((n) => Number(document.getElementById('plot-depth').dataset.points) >= n, before + 40);
    expect(await points(page)).toBeGreaterThanOrEqual(before + 40);

    // a jammed needle while running: JAM latched, the LED blinks the fault class
    await page.selectOption('#fault-kind', 'jam');
    await page.click('#inject');
    await page.waitForSelector('#fault-box[data-fault="JAM"]');
    await page.waitForFunction(() => document.body.dataset.state === 'FAULT');
    expect(await page.getAttribute('#led', 'data-pattern')).toBe('fault');
    expect(await page.textContent('#led-pattern')).toContain('5 red blinks');
    expect(await page.textContent('#fault-box')).toContain('jammed');
    expect(await messages(page)).toContain('fault latched: JAM');
    expect(await page.getAttribute('#injected', 'data-faults')).toBe('jam');
    // the whole page in the viewport: Chromium does not paint the certificate's frame below it
    await page.setViewportSize({ width: 1400, height: (await page.evaluate(() => document.documentElement.scrollHeight)) as number });
    await page.waitForFunction(() => document.getElementById('led').style.background.includes('255, 59, 48')); // a red blink
    await page.screenshot({ path: SCREENSHOT });

    // the cause removed, a technician clears it (SERVICE with the pen's secret)
    await page.click('#uninject');
    await page.waitForSelector('#injected[data-faults=""]');
    await page.click('#clear-fault');
    await page.waitForSelector('#fault-box[data-fault=""]');
    expect(await messages(page)).toContain('the latched fault was cleared');

    // the manual gauge's form: a reading that is not a number is refused with the reason and
    // asked again; Abort stops the calibration and leaves the calibration in force as it was
    const calibrated = await page.textContent('#pen-calibration');
    await page.selectOption('#cal-gauge', 'manual');
    await page.click('#cal-start');
    await page.click('#tech-done'); // the fixture: pen in the stand, needle free
    await page.fill('#tech-number', 'abc');
    await page.press('#tech-number', 'Enter');
    expect(await page.textContent('#tech-refused')).toBe('type the reading in mm, e.g. 0.812');
    await page.fill('#tech-number', '-0.81');
    await page.press('#tech-number', 'Enter');
    await page.waitForFunction(() => document.querySelector('#tech-number')?.getAttribute('aria-label')?.includes('drive 0.100'));
    expect(await page.textContent('#cal-log')).toContain('held at drive 0.000 (mm): -0.81');
    await page.click('#cal-abort');
    await page.waitForSelector('#cal-status.fail');
    expect(await page.textContent('#cal-status')).toMatch(/^FAIL: calibration aborted during the sensor step/);
    await page.waitForFunction(() => document.body.dataset.state === 'READY'); // SERVICE left, the trial dropped
    expect(await page.textContent('#pen-calibration')).toBe(calibrated);

    await page.click('#disconnect');
    await page.waitForSelector('body[data-connected="false"]');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    } finally {
      await page.close(); // its socket closes with it: the next page may connect
    }
  });

  test('a malformed message shows an error and changes nothing', async () => {
    const page = await context.newPage();
    let toPage: ((m: string) => void) | undefined;
    let toServer: ((m: string) => void) | undefined;
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      toPage = (m) => ws.send(m);
      toServer = (m) => server.send(m);
    });
    try {
    await page.goto(ready.url);
    await page.click('#connect-server');
    await page.waitForSelector('body[data-connected="true"]');
    await page.waitForSelector('#fault-box[data-fault=""]');
    const state = await page.textContent('#pen-state');
    const identity = await page.textContent('#identity');

    // from the server's side: not JSON, an unknown channel, bad base64, a handset status with a field too many
    toPage!('{"t":"pen",');
    toPage!(JSON.stringify({ t: 'telepathy', d: '' }));
    toPage!(JSON.stringify({ t: 'pen', d: '@@not base64@@' }));
    toPage!(JSON.stringify({ t: 'handset', led: { r: 1, g: 0, b: 0 }, cartridge: false, pedal: false, held: [], faults: [], timeS: 1, extra: 1 }));
    // pen bytes that frame a fault event with a wrong CRC: PenClient refuses it
    const body = JSON.stringify({ code: 8, t: 1, ctx: 'forged' });
    const frame = JSON.stringify({ v: 1, i: 'fault', s: 99999, b: body, c: 12345 });
    const pkt = Buffer.concat([Buffer.from([0x10, 0x01, 0x40, frame.length]), Buffer.from(frame, 'latin1')]);
    toPage!(JSON.stringify({ t: 'pen', d: pkt.toString('base64') }));
    // from the page's side, forged into its socket: a fault kind the virtual pen does not have
    toServer!(JSON.stringify({ t: 'fault', kind: 'meteorStrike', on: true }));

    await page.waitForFunction(() => document.getElementById('messages').textContent.includes('refused: invalid "fault" message'));
    const text = await messages(page);
    expect(text).toContain('malformed message from the console server, ignored: not JSON');
    expect(text).toContain('invalid "telepathy" message: t: Invalid discriminator');
    expect(text).toContain('invalid "pen" message: d: not base64');
    expect(text).toContain('invalid "handset" message');
    expect(text).toMatch(/ignored a bad message from the pen: .*(CRC|crc)/);
    expect(text).not.toContain('fault latched');
    // nothing changed: state, identity, the cartridge still seated, no fault injected or latched
    await page.click('#refresh');
    await page.waitForTimeout(300);
    expect(await page.textContent('#pen-state')).toBe(state);
    expect(await page.textContent('#identity')).toBe(identity);
    expect(await page.isChecked('#cartridge')).toBe(true);
    expect(await page.getAttribute('#fault-box', 'data-fault')).toBe('');
    expect(await page.getAttribute('#injected', 'data-faults')).toBe('');
    await page.click('#disconnect');
    await page.waitForSelector('body[data-connected="false"]');
    } finally {
      await page.close();
    }
  });

  test('Web Serial: a stand-in navigator.serial reached through @espruino-tools/core', async () => {
    const page = await context.newPage();
    await page.addInitScript({ path: path.join(__dirname, 'serial-stand-in.js') });
    try {
    await page.goto(ready.url);
    await page.click('#connect-espruino');
    // @espruino-tools' own chooser: Web Bluetooth or Web Serial
    await page.click('.esp-tools-name:text-is("Web Serial")');
    await page.waitForSelector('body[data-connected="true"][data-link="espruino-tools"]');
    expect(await page.textContent('#pen-serial')).toBe(ready.serial);
    await page.waitForSelector('#pen-calibration[data-status="ok"]'); // the calibration of the first test, read over this port
    const rec = (await page.evaluate(() => window.serialStandIn)) as SerialStandInRecord;
    expect(rec.requestPort).toBe(1);
    expect(rec.open).toEqual({ baudRate: 115200 }); // what @espruino-tools' Web Serial endpoint opens with
    expect(rec.chunkTypes[0]).toBe('ArrayBuffer'); // its str2ab: the library's writer, not the page's
    expect(rec.written).toBeGreaterThan(100);
    expect(rec.read).toBeGreaterThan(500);
    await page.click('#disconnect');
    await page.waitForSelector('body[data-connected="false"]');
    } finally {
      await page.close();
    }
  });

  test('the server stops cleanly on SIGTERM', async () => {
    stopServer();
    const r = await serverExit;
    expect(r.code).toBe(0);
    const stopped = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(stopped).toMatchObject({ event: 'stopped', error: null, connections: 3, refusedMessages: 1 });
  });
});
