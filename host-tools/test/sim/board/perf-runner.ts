// Speed check of the virtual board outside jest (jest's own vm sandbox slows everything
// down ~2.5x): bundled by speed.test.ts with esbuild and run in a child node process.
// Prints {"ratio": virtual seconds per wall second, ...}.
import { VirtualBoard } from '../../../src/sim/board';
import { FakeHardware } from './fake-hardware';

const FIRMWARE = `
var w = new Waveform(48, { doubleBuffer: true, bits: 16 });
var duty = 0.3, strokes = 0;
w.on('buffer', function (buf) {
  strokes++;
  var peak = Math.max.apply(null, buf) / 65536;
  var mean = E.sum(buf) / buf.length / 65536;
  duty = E.clip(duty + 0.01 * (0.6 - peak) + 0.001 * (0.5 - mean), 0, 1);
  analogWrite(B4, duty, { freq: 20000 });
});
analogWrite(B5, 0.4, { freq: 150 });
w.startInput(A5, 150 * 48, { repeat: true });
setWatch(function () {}, B13, { repeat: true, edge: 'falling', debounce: 10 });
setInterval(function () { print(JSON.stringify({ t: getTime().toFixed(3), d: duty.toFixed(4), s: strokes })); }, 100);
`;

const hw = new FakeHardware();
hw.analog.A5 = (t) => 0.5 + 0.4 * Math.sin(2 * Math.PI * 150 * t);
const board = new VirtualBoard({ hardware: hw });
board.storage.writeFile('.bootcde', FIRMWARE);
board.console.on('data', () => {});
board.powerOn();
board.runFor(2); // warm-up
const seconds = 30;
const t0 = process.hrtime.bigint();
board.runFor(seconds);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(JSON.stringify({ ratio: seconds / wall, wall, samples: board.stats.samples, callbacks: board.stats.callbacks }) + '\n');
