// `stipple console` as a user meets it when something is wrong: one line on stderr and
// exit 1 (a bad --listen, two pens named, a port that does not open, an address in use);
// and started right, the ready line names the page's address. The browser tests
// (console-browser.test.ts) drive the page itself.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CliHarness, jsonLines } from '../cli/cli-harness';

describe('stipple console (CLI)', () => {
  let cli: CliHarness;
  beforeAll(() => { cli = new CliHarness(); });
  afterAll(() => cli.cleanup());

  const oneLine = (stderr: string): string => {
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  test('usage errors are one line, exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [['console', '--listen', 'nowhere'], /--listen must be host:port/],
      [['console', '--sim', '--port', '/dev/ttyACM9'], /--sim and --port name two pens/],
      [['console', '--sim', '--speed', '0'], /--speed must be a number above 0/],
      [['console', '--sim', '--variant', 'rotary'], /--variant must be one of voiceCoil, stepper, bench/],
      [['console', '--port', '/nonexistent/tty'], /cannot open \/nonexistent\/tty/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli.run(args)));
    results.forEach((r, i) => {
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(cases[i]![1]);
    });
  });

  test('an address in use is one line; a free one gives the ready line', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const r = await cli.run(['console', '--listen', `127.0.0.1:${busy}`]);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(new RegExp(`127.0.0.1:${busy} is in use .*--listen`));
    } finally {
      blocker.close();
    }
    // page only (no pen served): ready, then stopped by SIGTERM with exit 0
    let gotReady: (l: Record<string, unknown>) => void = () => undefined;
    const readyLine = new Promise<Record<string, unknown>>((r) => { gotReady = r; });
    const { child, done } = cli.spawn(['console', '--listen', '127.0.0.1:0', '--json'], (out) => {
      const l = jsonLines(out).find((x) => x.event === 'ready');
      if (l) gotReady(l);
    });
    const ready = await Promise.race([readyLine, done.then((x) => { throw new Error(`stipple console exited (${x.code}): ${x.stderr}`); })]);
    expect(ready).toMatchObject({ event: 'ready', mode: 'browser-only', port: null, serial: null });
    expect(String(ready.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(String(ready.url));
    expect(page.status).toBe(200);
    child.kill('SIGTERM');
    const end = await done;
    expect(end.code).toBe(0);
    expect(jsonLines(end.stdout).pop()).toMatchObject({ event: 'stopped', error: null, connections: 0 });
  });
});
