// The `stipple console` server without a browser: the page's files and nothing else, the
// WebSocket's origin check and one page at a time, the pen's bytes carried both ways (a
// PenClient talks to the virtual pen through it, as the page does), the rig and the
// handset channels, and every malformed message from a page refused without a change.
// A served serial port (--port) is checked against a `stipple sim --pty` pen when socat is there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { ConsoleServer } from '@stipple/host-tools/console/console-server';
import { parseMessage, serverMessage } from '@stipple/host-tools/console/console-messages';
import type { ClientMessage, ServerMessage } from '@stipple/host-tools/console/console-messages';
import { parseListen } from '@stipple/host-tools/console/listen-address';
import { SerialPenPort } from '@stipple/host-tools/console/serial-pen-port';
import { SimPenPort } from '@stipple/host-tools/console/sim-pen-port';
import { PenClient } from '@stipple/host-tools/link';
import type { ByteTransport } from '@stipple/host-tools/link';
import { parseGaugeLine } from '@stipple/host-tools/sim/pty/gauge-line';
import { SimPtyServer } from '@stipple/host-tools/sim/pty/pty-server';

const haveSocat = spawnSync('socat', ['-V']).status === 0;
if (!haveSocat) console.warn('skipping the stipple console --port test: socat is not installed (apt-get install socat)');

/** A page's end of the socket, in Node: every message validated as the page validates it. */
class TestPage {
  readonly got: ServerMessage[] = [];
  readonly bad: string[] = [];
  private waiters: (() => void)[] = [];
  penCb: ((d: Uint8Array) => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const r = parseMessage(serverMessage, data.toString());
      if (!r.ok) this.bad.push(r.error);
      else {
        this.got.push(r.msg);
        if (r.msg.t === 'pen') this.penCb?.(Buffer.from(r.msg.d, 'base64'));
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(url: string, origin?: string): Promise<TestPage> {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + 'ws', origin ? { origin } : {});
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestPage(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(m: ClientMessage | string): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  /** How many messages have come so far: `until(f, mark)` looks only at later ones. */
  mark(): number {
    return this.got.length;
  }

  /** Wait until a message received after `from` passes `f`. */
  async until(f: (m: ServerMessage) => boolean, from = 0, ms = 3000): Promise<ServerMessage> {
    const t0 = Date.now();
    for (;;) {
      const m = this.got.slice(from).find(f);
      if (m) return m;
      if (Date.now() - t0 > ms) throw new Error(`no such message within ${ms} ms; got ${this.got.map((x) => x.t).join(',')}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
  }

  errors(): string[] {
    return this.got.filter((m): m is Extract<ServerMessage, { t: 'error' }> => m.t === 'error').map((m) => m.msg);
  }

  /** The pen channel as a ByteTransport, for a PenClient. */
  pen(): ByteTransport {
    return {
      write: (d) => this.send({ t: 'pen', d: Buffer.from(d).toString('base64') }),
      onData: (cb) => { this.penCb = cb; },
      close: async () => { this.ws.close(); },
    };
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((r) => { this.ws.once('close', () => r()); this.ws.close(); });
  }
}

const isError = (m: ServerMessage): boolean => m.t === 'error';

describe('stipple console server', () => {
  let pageDir: string;
  let port: SimPenPort;
  let server: ConsoleServer;

  beforeAll(async () => {
    // the server serves whatever the page build left: small stand-ins do for these tests
    pageDir = mkdtempSync(path.join(tmpdir(), 'stipple-console-page-'));
    writeFileSync(path.join(pageDir, 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(path.join(pageDir, 'console.js'), 'void 0;');
    writeFileSync(path.join(pageDir, 'console.css'), 'body{}');
    port = new SimPenPort({ seed: 2, variantName: 'voiceCoil' });
    server = await ConsoleServer.start({ port, listen: { host: '127.0.0.1', port: 0 }, pageDir, tool: 'stipple console test' });
  });

  afterAll(async () => {
    await server?.close();
    await port?.close();
    rmSync(pageDir, { recursive: true, force: true });
  });

  test('serves the page\'s files with a policy that loads nothing from elsewhere, and nothing else', async () => {
    const r = await fetch(server.url);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>page</title>');
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    expect((await fetch(server.url + 'console.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const p of ['package.json', '..%2Fpackage.json', 'console.ts', 'ws']) expect((await fetch(server.url + p)).status).toBe(404);
  });

  test('a page of another origin is refused; one page at a time', async () => {
    await expect(TestPage.open(server.url, 'http://evil.example')).rejects.toThrow('HTTP 403');
    const a = await TestPage.open(server.url, server.url.replace(/\/$/, ''));
    const hello = await a.until((m) => m.t === 'hello');
    expect(hello).toMatchObject({ t: 'hello', v: 1, mode: 'sim', port: 'sim', tool: 'stipple console test', sim: { serial: 'SIM-V-000002', secret: port.pen.secret, seed: 2, speed: 1 } });
    const b = await TestPage.open(server.url);
    await b.until(isError);
    expect(b.errors()[0]).toMatch(/another page is connected/);
    expect(b.got.some((m) => m.t === 'hello')).toBe(false);
    await a.close();
    await b.close();
    const c = await TestPage.open(server.url);
    await c.until((m) => m.t === 'hello'); // the first page gone, the next one is let in
    await c.close();
  });

  test('the pen, the rig and the handset over the socket', async () => {
    const page = await TestPage.open(server.url);
    try {
      const client = new PenClient(page.pen(), { hostName: 'console-test' });
      const info = await client.connect();
      expect(info.serial).toBe('SIM-V-000002');
      expect((await client.status()).fault).toBe(14); // UNCALIBRATED, as from the factory
      // the rig: one held reading on '?'
      page.send({ t: 'gauge', d: Buffer.from('?').toString('base64') });
      const g = await page.until((m) => m.t === 'gauge');
      const mm = parseGaugeLine(Buffer.from((g as { d: string }).d, 'base64').toString('latin1'));
      expect(mm).toBeCloseTo(port.pen.hardware.gauge.protrusionMm(), 2);
      // the handset: a held button shows as held, the LED as the firmware drives it (fault: red)
      page.send({ t: 'button', button: 'speedDown', action: 'down' });
      const hs = await page.until((m) => m.t === 'handset' && m.held.includes('speedDown'));
      expect(hs).toMatchObject({ cartridge: true, pedal: false, faults: [] });
      const k = page.mark();
      page.send({ t: 'button', button: 'speedDown', action: 'up' });
      await page.until((m) => m.t === 'handset' && m.held.length === 0, k);
      // the fault pattern blinks red (UNCALIBRATED: class 7)
      await page.until((m) => m.t === 'handset' && m.led.r > 0 && m.led.g === 0 && m.led.b === 0, k);
      await client.close();
    } finally {
      await page.close();
    }
    expect(port.pen.hardware.faults.active()).toEqual([]);
  });

  test('a malformed message from the page is refused with a reason and changes nothing', async () => {
    const page = await TestPage.open(server.url);
    try {
      await page.until((m) => m.t === 'hello');
      const refused0 = server.refused;
      const bad: (string | Record<string, unknown>)[] = [
        'not json',
        { t: 'telepathy' },
        { t: 'pen', d: '%%%' },
        { t: 'fault', kind: 'meteorStrike', on: true },
        { t: 'fault', kind: 'jam', on: 'yes' },
        { t: 'button', button: 'run', action: 'press' },
        { t: 'button', button: 'run', action: 'down', ms: 100 },
        { t: 'cartridge', seated: true }, // it is seated already
        { t: 'fault', kind: 'jam', on: false }, // not injected
        { t: 'pedal', down: true, extra: 1 },
      ];
      for (const m of bad) page.send(typeof m === 'string' ? m : JSON.stringify(m));
      page.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      await page.until(() => page.errors().length === bad.length + 1);
      const errs = page.errors();
      expect(errs.every((e) => e.startsWith('refused: '))).toBe(true);
      expect(errs).toEqual(expect.arrayContaining([
        expect.stringContaining('not JSON'), expect.stringContaining('"telepathy"'), expect.stringContaining('not base64'),
        expect.stringContaining('kind'), expect.stringContaining('ms is given with press'), expect.stringContaining('already seated'),
        expect.stringContaining('jam is not injected'), expect.stringContaining('binary frames'),
      ]));
      expect(server.refused - refused0).toBe(bad.length + 1);
      expect(port.pen.hardware.faults.active()).toEqual([]);
      // and a good one does what it says
      page.send({ t: 'fault', kind: 'jam', on: true });
      await page.until((m) => m.t === 'handset' && m.faults.includes('jam'));
      expect(port.pen.hardware.faults.active()).toEqual(['jam']);
      const k = page.mark();
      page.send({ t: 'fault', kind: 'jam', on: false });
      await page.until((m) => m.t === 'handset' && m.faults.length === 0, k);
      expect(port.pen.hardware.faults.active()).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test('a console without a pen says so to a page that asks for one', async () => {
    const bare = await ConsoleServer.start({ port: null, listen: { host: '127.0.0.1', port: 0 }, pageDir, tool: 't' });
    try {
      const page = await TestPage.open(bare.url);
      await page.until(isError);
      expect(page.errors()[0]).toMatch(/serves no pen .*Web Serial or Web Bluetooth/);
      await page.close();
    } finally {
      await bare.close();
    }
  });

  (haveSocat ? test : test.skip)('--port: the pen on a serial port (a stipple sim PTY) through the socket', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stipple-console-pty-'));
    const pty = await SimPtyServer.start({ seed: 3, ptyPath: path.join(dir, 'pen') });
    let serial: SerialPenPort | undefined;
    let s: ConsoleServer | undefined;
    try {
      serial = await SerialPenPort.open(pty.consolePty.path);
      s = await ConsoleServer.start({ port: serial, listen: { host: '127.0.0.1', port: 0 }, pageDir, tool: 't' });
      const page = await TestPage.open(s.url);
      expect(await page.until((m) => m.t === 'hello')).toMatchObject({ mode: 'serial', port: pty.consolePty.path, sim: null });
      const client = new PenClient(page.pen());
      expect((await client.connect()).serial).toBe('SIM-V-000003');
      page.send({ t: 'pedal', down: true });
      await page.until(isError);
      expect(page.errors()[0]).toMatch(/"pedal" needs the virtual pen/);
      await client.close();
    } finally {
      await s?.close();
      await serial?.close();
      await pty.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--listen', () => {
    expect(parseListen('127.0.0.1:8470')).toEqual({ host: '127.0.0.1', port: 8470 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('localhost:9000')).toEqual({ host: 'localhost', port: 9000 });
    for (const bad of ['8470', 'host:', 'host:70000', ':80', 'a b:1']) expect(() => parseListen(bad)).toThrow(/--listen must be host:port/);
  });
});
