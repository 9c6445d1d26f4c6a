import { makeBoard } from './helpers';
import { FakeHardware } from './fake-hardware';

// the fake Hall sensor reads t (s) * 10, so sample k of a run started at t0 reads (t0 + k/f) * 10
function rampHw(): FakeHardware {
  const hw = new FakeHardware();
  hw.analog.A5 = (t) => (t * 10) % 1;
  return hw;
}
const q16 = (v: number) => Math.min(4095, Math.floor(v * 4096)) << 4;

describe('Waveform', () => {
  test('double-buffered repeating input: a buffer event per filled buffer, with that buffer and the right samples', () => {
    const hw = rampHw();
    const { board } = makeBoard(`
      var w = new Waveform(4, { doubleBuffer: true, bits: 16 });
      var got = [];
      w.on('buffer', function (buf) { got.push({ which: buf === w.buffer ? 1 : 2, t: getTime(), s: Array.prototype.slice.call(buf) }); });
      w.startInput(A5, 1000, { repeat: true });`, { hardware: hw });
    board.runFor(0.0125);
    const got = board.evaluate('got') as { which: number; t: number; s: number[] }[];
    expect(got.map((g) => g.which)).toEqual([1, 2, 1]);
    // buffer 1 holds samples 1..4 (t = 1..4 ms), delivered when the 4th is taken
    expect(got[0]!.t).toBeCloseTo(0.004, 9);
    expect(got[0]!.s).toEqual([1, 2, 3, 4].map((k) => q16(k * 0.001 * 10)));
    expect(got[1]!.s).toEqual([5, 6, 7, 8].map((k) => q16(k * 0.001 * 10)));
    expect(got[1]!.t).toBeCloseTo(0.008, 9);
    for (const g of got) for (const v of g.s) expect(v % 16).toBe(0);
    expect(board.evaluate('w.running')).toBe(true);
  });

  test('single-shot 8-bit input: finish event with buffer, running false afterwards', () => {
    const hw = rampHw();
    const { board } = makeBoard(`
      var w = new Waveform(8);
      var fin = null;
      w.on('finish', function (buf) { fin = { same: buf === w.buffer, t: getTime(), s: Array.prototype.slice.call(buf), running: w.running }; });
      w.startInput(A5, 2000);`, { hardware: hw });
    expect(board.evaluate('w.running')).toBe(true);
    board.runFor(0.01);
    const fin = board.evaluate('fin') as { same: boolean; t: number; s: number[]; running: boolean };
    expect(fin.same).toBe(true);
    expect(fin.running).toBe(false);
    expect(fin.t).toBeCloseTo(0.004, 9);
    expect(fin.s).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => q16(k * 0.0005 * 10) >> 8));
  });

  test('repeat without doubleBuffer reuses buffer and emits nothing; stop() queues finish, running stays true until it runs', () => {
    const hw = rampHw();
    const { board } = makeBoard(`
      var w = new Waveform(4, { bits: 16 }); var ev = [];
      w.on('buffer', function () { ev.push('buffer'); });
      w.on('finish', function () { ev.push('finish'); });
      w.startInput(A5, 1000, { repeat: true });`, { hardware: hw });
    board.runFor(0.0105);
    expect(board.evaluate('ev.length')).toBe(0);
    expect(board.evaluate('Array.prototype.slice.call(w.buffer)')).toEqual([9, 10, 7, 8].map((k) => q16(k * 0.001 * 10)));
    expect(board.evaluate('w.stop(); w.running')).toBe(true);
    expect(() => board.evaluate('w.startInput(A5, 1000)')).toThrow('Waveform is already running');
    board.runFor(0.001);
    expect(board.evaluate('ev.join() + w.running')).toBe('finishfalse');
  });

  test('start time option and output to a PWM pin', () => {
    const hw = new FakeHardware();
    const { board } = makeBoard(`
      analogWrite(B4, 0, { freq: 40000 });
      var w = new Waveform(new Uint8Array([0, 128, 255]).buffer);
      w.startOutput(B4, 1000, { time: 0.005 });`, { hardware: hw });
    board.runFor(0.01);
    const pwm = hw.drives.filter((d) => d.pin === 'B4').slice(1);
    expect(pwm.map((d) => d.t)).toEqual([0.006, 0.007, 0.008].map((x) => expect.closeTo(x, 9)));
    expect(pwm.map((d) => d.drive)).toEqual([0, 128, 255].map((v) => ({ kind: 'pwm', duty: (v << 8) / 65536, freq: 40000 })));
  });

  test('constructor checks', () => {
    const { board } = makeBoard('');
    expect(() => board.evaluate('new Waveform(0)')).toThrow('Samples must be greater than 0');
    expect(() => board.evaluate('new Waveform(4, { bits: 12 })')).toThrow('Invalid number of bits');
    expect(board.evaluate('var w = new Waveform(4, { doubleBuffer: true, bits: 16 }); [w.buffer.constructor === Uint16Array, w.buffer2.length].join()')).toBe('true,4');
  });
});
