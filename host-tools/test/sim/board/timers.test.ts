import { makeBoard } from './helpers';

describe('timers and the event loop', () => {
  test('callbacks run in time order, ties in the order they were queued, extra args passed', () => {
    const { board } = makeBoard(`var log = [];
      setTimeout(function (a, b) { log.push('t20:' + a + b + ':' + getTime()); }, 20, 'x', 'y');
      setTimeout(function () { log.push('t10a'); }, 10);
      setTimeout(function () { log.push('t10b'); }, 10);
      setTimeout(function () { log.push('t5'); setTimeout(function () { log.push('t5+5'); }, 5); }, 5);`);
    board.runFor(0.03);
    expect(board.evaluate('log.join()')).toBe('t5,t10a,t10b,t5+5,t20:xy:0.02');
  });

  test('setInterval runs without drift until cleared; ids as Espruino (1, 2, reused)', () => {
    const { board } = makeBoard(`var times = []; var id = setInterval(function () { times.push(getTime()); if (times.length == 4) clearInterval(id); }, 2.5);`);
    board.runFor(0.1);
    expect(board.evaluate('times') as number[]).toEqual([0.0025, 0.005, 0.0075, 0.01].map((x) => expect.closeTo(x, 9)));
    expect(board.evaluate('id')).toBe(1);
    expect(board.evaluate('var a = setTimeout(function(){}, 1); var b = setTimeout(function(){}, 1); [a, b].join()')).toBe('1,2');
  });

  test('minimum interval is 0.1 ms; clearTimeout(undefined) throws, clearTimeout() clears all', () => {
    const { board } = makeBoard('var n = 0; setInterval(function () { n++; }, 0);');
    board.runFor(0.00105);
    expect(board.evaluate('n')).toBe(10);
    expect(() => board.evaluate('clearTimeout(undefined)')).toThrow('clearTimeout(undefined) not allowed. Use clearTimeout() instead');
    board.evaluate('clearInterval()');
    board.runFor(0.001);
    expect(board.evaluate('n')).toBe(10);
  });

  test('string callbacks are evaluated in global scope; changeInterval', () => {
    const { board } = makeBoard('var k = 0; var id = setInterval("k++", 10);');
    board.runFor(0.035);
    expect(board.evaluate('k')).toBe(3);
    board.evaluate('changeInterval(id, 1)');
    board.runFor(0.0055);
    expect(board.evaluate('k')).toBe(8);
  });

  test('an exception escaping a callback is printed and recorded, the board carries on', () => {
    const { board, text } = makeBoard(`var n = 0; setInterval(function () { n++; if (n == 2) throw new Error("boom"); }, 10);`);
    board.runFor(0.05);
    expect(board.evaluate('n')).toBe(5);
    expect(text()).toContain('Uncaught Error: boom\r\n');
    expect(board.uncaughtErrors).toHaveLength(1);
    expect(board.uncaughtErrors[0]).toMatchObject({ message: 'Error: boom' });
    expect(board.uncaughtErrors[0]!.time).toBeCloseTo(0.02, 9);
  });

  test("process.on('uncaughtException') takes errors instead of the console", () => {
    const { board, text } = makeBoard(`var got; process.on('uncaughtException', function (e) { got = e.message; }); setTimeout(function () { throw new Error("x"); }, 1);`);
    board.runFor(0.01);
    expect(board.evaluate('got')).toBe('x');
    expect(text()).not.toContain('Uncaught');
  });

  test('runUntil / runFor / now', () => {
    const { board } = makeBoard('');
    board.runUntil(1.5);
    expect(board.now).toBe(1.5);
    board.runFor(0.25);
    expect(board.now).toBe(1.75);
  });
});
