// The virtual dial indicator's serial lines and its streaming schedule.
import { formatGaugeLine, parseGaugeLine, GAUGE_LINE_BYTES } from '@stipple/host-tools/sim/pty/gauge-line';
import { GaugeStream } from '@stipple/host-tools/sim/pty/gauge-stream';

test('lines: sign, 3 integer digits, 3 decimals, unit, CR LF; parse inverts format', () => {
  expect(formatGaugeLine(0.8123)).toBe('+000.812 mm\r\n');
  expect(formatGaugeLine(-0.7776)).toBe('-000.778 mm\r\n');
  expect(formatGaugeLine(0)).toBe('+000.000 mm\r\n');
  expect(formatGaugeLine(-0.0004)).toBe('+000.000 mm\r\n'); // rounds to zero: no "-0"
  expect(formatGaugeLine(12.3456)).toBe('+012.346 mm\r\n');
  expect(formatGaugeLine(5000)).toBe('+999.999 mm\r\n'); // the display's range
  for (const mm of [0.812, -0.778, 1.5, -2.001, 0]) {
    const l = formatGaugeLine(mm);
    expect(l).toHaveLength(GAUGE_LINE_BYTES);
    expect(parseGaugeLine(l)).toBeCloseTo(mm, 9);
  }
  expect(parseGaugeLine('+000.812 mm')).toBe(0.812);
  expect(parseGaugeLine('0.812 mm\r\n')).toBeUndefined();
  expect(parseGaugeLine('garbage')).toBeUndefined();
});

test('stream: one line per period of virtual time, skipping (not bursting) when late; ? and R read at once', () => {
  const lines: string[] = [];
  let mm = 0.5;
  const g = new GaugeStream({ read: () => mm, send: (l) => lines.push(l), periodS: 0.1 });
  for (let t = 0; t <= 0.3501; t += 0.002) g.tick(t);
  expect(lines).toHaveLength(4); // t = 0, 0.1, 0.2, 0.3
  g.tick(1.0); // late: one line, then the schedule restarts from now
  g.tick(1.05);
  expect(lines).toHaveLength(5);
  g.tick(1.1);
  expect(lines).toHaveLength(6);
  mm = -0.25;
  g.input(Buffer.from('?\rR\nx r'));
  expect(lines.slice(6)).toEqual(['-000.250 mm\r\n', '-000.250 mm\r\n', '-000.250 mm\r\n']);
  const quiet = new GaugeStream({ read: () => 1, send: (l) => lines.push(l), periodS: 0 });
  quiet.tick(5);
  quiet.input(Buffer.from('R'));
  expect(lines.at(-1)).toBe('+001.000 mm\r\n');
  expect(quiet.lines).toBe(1);
});

test('rig: S streams one line per stroke bottom (only new strokes), P back to positions; A/N move the phantom', () => {
  const lines: string[] = [];
  const phantom: string[] = [];
  const strokes = [{ time: 0.5, bottomMm: 1.0 }, { time: 1.01, bottomMm: 1.012 }, { time: 1.02, bottomMm: 0.998 }];
  const g = new GaugeStream({
    read: () => -0.8, send: (l) => lines.push(l), periodS: 0.1,
    strokes: (since) => strokes.filter((s) => s.time >= since), phantom: (p) => phantom.push(p),
  });
  g.tick(1.0);
  expect(lines).toEqual(['-000.800 mm\r\n']);
  g.input(Buffer.from('S'));
  g.tick(1.015);
  g.tick(1.03);
  g.tick(1.2); // no new strokes, no position lines in stroke mode
  expect(lines.slice(1)).toEqual(['+001.012 mm\r\n', '+000.998 mm\r\n']);
  g.input(Buffer.from('P'));
  g.tick(1.25);
  expect(lines.at(-1)).toBe('-000.800 mm\r\n');
  g.input(Buffer.from('ANx'));
  expect(phantom).toEqual(['air', 'normal']);
});
