import { PT } from '../../../src/sim/board';
import { FakeHardware } from './fake-hardware';
import { makeBoard } from './helpers';

// A firmware-shaped program: a stroke-synchronous Waveform capture (150 strokes/s, 48
// samples per stroke), per-stroke control in the 'buffer' handler, a button watch,
// telemetry, Storage writes and random numbers.
const FIRMWARE = `
var S = require("Storage");
var w = new Waveform(48, { doubleBuffer: true, bits: 16 });
var duty = 0.3, strokes = 0, peaks = [];
w.on('buffer', function (buf) {
  strokes++;
  var peak = Math.max.apply(null, buf) / 65536;
  var mean = E.sum(buf) / buf.length / 65536;
  duty = E.clip(duty + 0.01 * (0.6 - peak) + 0.001 * (0.5 - mean), 0, 1);
  analogWrite(B4, duty, { freq: 20000 });
  if (strokes % 150 == 0) peaks.push(peak.toFixed(4));
});
analogWrite(B5, 0.4, { freq: 150 });
w.startInput(A5, 150 * 48, { repeat: true });
var presses = 0;
setWatch(function () { presses++; S.writeJSON("presses", presses); }, B13, { repeat: true, edge: 'falling', debounce: 10 });
setInterval(function () { print(JSON.stringify({ t: getTime().toFixed(3), d: duty.toFixed(4), s: strokes, r: Math.random().toFixed(6) })); }, 250);
E.on('packet', function (p) { if (p.duty !== undefined) duty = p.duty; });
`;

function hardware(): FakeHardware {
  const hw = new FakeHardware();
  hw.analog.A5 = (t) => 0.5 + 0.4 * Math.sin(2 * Math.PI * 150 * t);
  hw.levels.B13 = true;
  for (let k = 1; k <= 8; k++) hw.bounce('B13', [k * 0.9, k * 0.9 + 0.001, k * 0.9 + 0.0025], false).edge('B13', k * 0.9 + 0.2, true);
  return hw;
}

function run(seconds: number) {
  const b = makeBoard(FIRMWARE, { hardware: hardware(), seed: 42 });
  b.board.console.setFaults({ dropRate: 0.05, corruptRate: 0.01, direction: 'to-board' });
  for (let i = 0; i < 10; i++) b.board.console.write(Buffer.from([0x10, 0x01, PT.EVENT >> 8, 12, ...Buffer.from('{"duty":0.2}')]));
  b.board.runFor(seconds);
  return { b };
}

describe('determinism', () => {
  test('same inputs, same run: console bytes, state, Storage and hardware calls are identical', () => {
    const a = run(3);
    const c = run(3);
    expect(a.b.text().length).toBeGreaterThan(100);
    expect(c.b.text()).toBe(a.b.text());
    expect(c.b.board.evaluate('peaks.join() + "|" + strokes + "|" + presses + "|" + duty')).toBe(a.b.board.evaluate('peaks.join() + "|" + strokes + "|" + presses + "|" + duty'));
    expect(Buffer.from(c.b.board.storage.bytes).equals(Buffer.from(a.b.board.storage.bytes))).toBe(true);
    expect(JSON.stringify(c.b.hw.drives)).toBe(JSON.stringify(a.b.hw.drives));
    expect(a.b.board.evaluate('strokes')).toBe(450);
    expect(a.b.board.evaluate('presses')).toBe(3);
  });
});
