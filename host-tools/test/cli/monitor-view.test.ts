// What `stipple monitor` draws: sparklines, the in-place terminal view, plain and JSON lines.
import { MonitorView } from '@stipple/host-tools/cli/monitor/monitor-view';
import { sparkline } from '@stipple/host-tools/cli/monitor/sparkline';
import { recordLine } from '@stipple/host-tools/cli/monitor/telemetry-format';

const header = { serial: 'SIM-V-000001', fw: '0.1.0', drive: 'bench', port: 'sim' };
const rec = (depthUm: number, t: number) => ({ t, setUm: 1000, depthUm, rate: 120, duty: 412, mA: 812, dC: 314, state: 3, fault: 0, warn: 0, inSkin: 20, n: 20 });

test('sparkline: scaled to its own range, flat when constant, last `width` values', () => {
  expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
  expect(sparkline([5, 5, 5], 8)).toBe('▄▄▄');
  expect(sparkline([1, 2, 3, 4], 2)).toBe('▁█');
  expect(sparkline([], 8)).toBe('');
});

test('a plain line per record, in mm, %, °C and state names', () => {
  expect(recordLine(rec(1003, 12345))).toBe('t 12.345 s  depth 1.003 mm set 1.000 (+3 µm)  rate 120/s  drive 41.2 % 812 mA  31.4 °C  RUNNING');
  expect(recordLine({ ...rec(990, 1), fault: 8, warn: 1 })).toMatch(/RUNNING {2}fault 8 JAM {2}warn depthNotReached$/);
});

test('terminal view: figures and charts, redrawn in place (cursor up over the previous block)', () => {
  let out = '';
  const v = new MonitorView('tty', header, (s) => { out += s; });
  v.note('watching');
  const first = out;
  expect(first).not.toMatch(/\x1b\[\d+A/); // nothing to go back over yet
  v.event({ id: 'state', seq: 1, body: { state: 'RUNNING', prev: 'READY', t: 40 } });
  for (let k = 0; k < 10; k++) v.record(rec(990 + 2 * k, 200 + k * 170), 2 + k, 0);
  v.finish();
  expect(out.slice(first.length)).toMatch(/\x1b\[\d+A\r\x1b\[J/);
  const lines = v.render().join('\n');
  expect(lines).toMatch(/depth +1\.008 mm {2}set 1\.000 mm \(\+8 µm\) +▁.*█ 0\.990…1\.008 mm/);
  expect(lines).toMatch(/drive +41\.2 % +812 mA/);
  expect(lines).toMatch(/temp +31\.4 °C/);
  expect(lines).toMatch(/10 records, 200 strokes, 0 lost/);
  expect(lines).toMatch(/0\.040 s {2}state READY → RUNNING/);
});

test('JSON mode: one object per line, records as kind "tlm", events by name', () => {
  const out: string[] = [];
  const v = new MonitorView('json', header, (s) => out.push(s));
  v.note('not shown');
  v.record(rec(1003, 1), 7, 0);
  v.event({ id: 'fault', seq: 8, body: { code: 8, t: 5, ctx: 'x' } });
  expect(out.map((l) => JSON.parse(l))).toEqual([
    { kind: 'tlm', seq: 7, ...rec(1003, 1) },
    { kind: 'fault', seq: 8, code: 8, t: 5, ctx: 'x' },
  ]);
});
