import { makeBoard } from './helpers';
import { FakeHardware } from './fake-hardware';

describe('pins through the HardwareModel', () => {
  test('analogWrite with freq reaches the hardware; default freq otherwise', () => {
    const { hw, board } = makeBoard('analogWrite(B4, 0.25, { freq: 20000 }); analogWrite("B5", 0.5, { freq: 150 }); analogWrite(B6, 2);');
    expect(hw.lastDrive('B4')).toEqual({ kind: 'pwm', duty: 0.25, freq: 20000 });
    expect(hw.lastDrive('B5')).toEqual({ kind: 'pwm', duty: 0.5, freq: 150 });
    expect(hw.lastDrive('B6')).toEqual({ kind: 'pwm', duty: 1, freq: 1000 });
    expect(board.evaluate('getPinMode(B4)')).toBe('af_output');
  });

  test('analogRead is 12-bit and taken at the current virtual time', () => {
    const hw = new FakeHardware();
    hw.analog.A5 = (t) => t; // ramps 1/s
    const { board } = makeBoard('', { hardware: hw });
    board.runFor(0.5);
    expect(board.evaluate('analogRead(A5)')).toBe(Math.floor(0.5 * 4096) / 4096);
    hw.analog.A5 = () => 1.2;
    expect(board.evaluate('analogRead(A5)')).toBe(4095 / 4096);
  });

  test('digitalRead switches an auto-mode pin to input, as Espruino does', () => {
    const hw = new FakeHardware();
    hw.levels.B3 = false;
    const { board } = makeBoard('digitalWrite(B3, 1);', { hardware: hw });
    expect(hw.lastDrive('B3')).toEqual({ kind: 'digital', value: true });
    expect(board.evaluate('digitalRead(B3)')).toBe(0);
    expect(hw.lastDrive('B3')).toEqual({ kind: 'input' });
    board.evaluate('pinMode(B3, "output"); digitalWrite(B3, 1); digitalRead(B3)');
    expect(hw.lastDrive('B3')).toEqual({ kind: 'digital', value: true });
  });

  test('digitalPulse is hardware-timed and queued after pulses already running', () => {
    const { hw, board } = makeBoard('');
    board.runFor(0.1);
    board.evaluate('digitalPulse(B6, 1, 0.5); digitalPulse(B6, 1, [0.25, 0.25, 0.25]);');
    expect(hw.pulses).toEqual([
      { t: 0.1, pin: 'B6', value: true, start: 0.1, timesMs: [0.5] },
      { t: 0.1, pin: 'B6', value: true, start: expect.closeTo(0.1005, 9), timesMs: [0.25, 0.25, 0.25] },
    ]);
    board.runFor(0.1);
    board.evaluate('digitalPulse(B6, 0, 1)');
    expect(hw.pulses[2]).toMatchObject({ value: false, start: 0.2, timesMs: [1] });
  });

  test('setWatch without debounce: every matching edge, time stamped at the edge, lastTime of the previous edge', () => {
    const hw = new FakeHardware();
    hw.levels.B3 = true;
    hw.edge('B3', 0.0101, false).edge('B3', 0.0102, true).edge('B3', 0.0301, false).edge('B3', 0.0305, true);
    const { board } = makeBoard(`var ev = []; setWatch(function (e) { ev.push([e.state, e.time, e.lastTime, String(e.pin)]); }, B3, { repeat: true, edge: 'falling' });`, { hardware: hw });
    board.runFor(0.05);
    const ev = board.evaluate('ev') as unknown[][];
    expect(ev).toHaveLength(2);
    expect(ev[0]).toEqual([false, expect.closeTo(0.0101, 9), undefined, 'B3']);
    expect(ev[1]).toEqual([false, expect.closeTo(0.0301, 9), expect.closeTo(0.0102, 9), 'B3']);
  });

  test('setWatch with debounce: bounces collapse into one event timed at the last edge; a glitch gives none', () => {
    const hw = new FakeHardware();
    hw.levels.B13 = true; // button released (pull-up)
    // press at 100 ms with 3 ms of bounce, ending low
    hw.bounce('B13', [0.1, 0.1005, 0.101, 0.1018, 0.1025], false);
    // release at 300 ms, clean
    hw.edge('B13', 0.3, true);
    // a 2 ms glitch low at 500 ms (shorter than the 10 ms debounce): no event
    hw.edge('B13', 0.5, false).edge('B13', 0.502, true);
    const { board } = makeBoard(`var ev = [];
      setWatch(function (e) { ev.push([e.state, e.time, e.lastTime, getTime()]); }, B13, { repeat: true, edge: 'both', debounce: 10 });`, { hardware: hw });
    board.runFor(0.7);
    const ev = board.evaluate('ev') as number[][];
    expect(ev).toHaveLength(2);
    expect(ev[0]).toEqual([false, expect.closeTo(0.1025, 9), undefined, expect.closeTo(0.1125, 9)]);
    expect(ev[1]).toEqual([true, expect.closeTo(0.3, 9), expect.closeTo(0.1025, 9), expect.closeTo(0.31, 9)]);
  });

  test('non-repeating watch fires once; clearWatch(id) and clearWatch() remove watches', () => {
    const hw = new FakeHardware();
    hw.levels.A0 = true;
    hw.edge('A0', 0.01, false).edge('A0', 0.02, true).edge('A0', 0.03, false);
    const { board } = makeBoard(`var n = 0, m = 0; var w1 = setWatch(function () { n++; }, A0, { edge: 'falling' });
      var w2 = setWatch(function () { m++; }, A0, { repeat: true });`, { hardware: hw });
    expect(board.evaluate('[w1, w2].join()')).toBe('1,2');
    board.runFor(0.025);
    expect(board.evaluate('[n, m].join()')).toBe('1,2');
    board.evaluate('clearWatch(w2)');
    expect(() => board.evaluate('clearWatch(w2)')).toThrow('Unknown Watch 2');
    board.runFor(0.02);
    expect(board.evaluate('[n, m].join()')).toBe('1,2');
    expect(board.activity.watches).toBe(0);
  });
});
