import { ACK, NAK, PT } from '../../../src/sim/board';
import { makeBoard } from './helpers';

function pkt(type: number, data: string | Uint8Array): Buffer {
  const d = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
  const h = type | d.length;
  return Buffer.concat([Buffer.from([0x10, 0x01, h >> 8, h & 255]), d]);
}

/** Run until what was written has arrived and been handled. */
function settle(b: ReturnType<typeof makeBoard>) {
  b.board.runUntil(b.board.console.idleAt + 0.001);
}

describe('console: REPL', () => {
  test('the prompt appears after boot; a typed line is echoed, evaluated and printed as =value', () => {
    const b = makeBoard('');
    settle(b);
    expect(b.text()).toBe('>');
    b.clear();
    b.board.console.write('1+2\n');
    settle(b);
    expect(b.text()).toBe('1+2\r\n=3\r\n>');
    b.clear();
    b.board.console.write('var o = {a:1, "b-c":[1,"x"]}; o\n');
    settle(b);
    expect(b.text()).toContain('={ a: 1, "b-c": [ 1, "x" ] }\r\n>');
  });

  test('a line with open brackets continues; errors are printed as Uncaught', () => {
    const b = makeBoard('');
    settle(b);
    b.clear();
    b.board.console.write('function f() {\n return 5 }\nf()\n');
    settle(b);
    expect(b.text()).toContain('function f() {\r\n:');
    expect(b.text()).toContain('=5\r\n');
    b.clear();
    b.board.console.write('nope()\n');
    settle(b);
    expect(b.text()).toBe('nope()\r\nUncaught ReferenceError: nope is not defined\r\n>');
  });

  test('a DLE-prefixed line runs without echo, result or prompt', () => {
    const b = makeBoard('var x = 0;');
    settle(b);
    b.clear();
    b.board.console.write('\x10x = 42\n');
    settle(b);
    expect(b.board.evaluate('x')).toBe(42);
    expect(b.text()).toBe('');
    // if the line prints, the output is there (and the prompt comes back)
    b.board.console.write('\x10print("hi")\n');
    settle(b);
    expect(b.text()).toBe('hi\r\n>');
  });

  test('print from firmware removes the prompt first and redraws it; USB.write is raw', () => {
    const b = makeBoard('setTimeout(function () { print("tick"); USB.write("raw\\n"); }, 10);');
    b.board.runFor(0.02);
    expect(b.text()).toBe('>\r\x1B[Jtick\r\nraw\n>');
  });

  test('echo(0) silences echo and prompt; Ctrl-E identifies the board', () => {
    const b = makeBoard('echo(0);');
    settle(b);
    b.board.console.write('1+1\n\x05');
    settle(b);
    expect(b.text()).toBe('Espruino 2v25 PICO\r\n');
  });

  test('input bytes arrive at 115200 baud timing', () => {
    const b = makeBoard('');
    const t0 = b.board.now;
    const tEnd = b.board.console.write('x'.repeat(100));
    expect(tEnd - t0).toBeCloseTo(100 * 10 / 115200, 9);
  });
});

describe('console: packets', () => {
  test('EVENT: ACK, then E.on("packet") gets the object (liberal JSON accepted)', () => {
    const b = makeBoard('var got = []; E.on("packet", function (d) { got.push(d); });');
    settle(b);
    b.clear();
    b.board.console.write(pkt(PT.EVENT, '{"cmd":"start","rate":120}'));
    b.board.console.write(pkt(PT.EVENT, "{cmd:'stop'}"));
    settle(b);
    expect([...b.out]).toEqual([ACK, ACK]);
    expect(b.board.evaluate('JSON.stringify(got)')).toBe('[{"cmd":"start","rate":120},{"cmd":"stop"}]');
  });

  test('EVENT: bad JSON, non-objects and no listener are NAKed', () => {
    const b = makeBoard('');
    settle(b);
    b.clear();
    b.board.console.write(pkt(PT.EVENT, '{"a":1}')); // no listener yet
    settle(b);
    b.board.evaluate('var n = 0; E.on("packet", function () { n++; });');
    b.board.console.write(pkt(PT.EVENT, '{"cmd":'));
    b.board.console.write(pkt(PT.EVENT, '[1,2]'));
    b.board.console.write(pkt(PT.EVENT, '{"ok":true}'));
    settle(b);
    expect([...b.out]).toEqual([NAK, NAK, NAK, ACK]);
    expect(b.board.evaluate('n')).toBe(1);
  });

  test('a packet that takes longer than 2 s is NAKed and dropped; the REPL line typed before is kept', () => {
    const b = makeBoard('var n = 0; E.on("packet", function () { n++; });');
    settle(b);
    b.board.console.write('1+');
    b.board.console.write(pkt(PT.EVENT, '{"a":1}').subarray(0, 6)); // the rest never comes
    settle(b);
    b.clear();
    b.board.runFor(1.9);
    expect(b.out).toHaveLength(0);
    b.board.runFor(0.2);
    expect([...b.out]).toEqual([NAK]);
    b.clear();
    b.board.console.write('1\n');
    b.board.console.write(pkt(PT.EVENT, '{"a":1}'));
    settle(b);
    expect(b.text()).toContain('=2');
    expect(b.out.at(-1)).toBe(ACK);
    expect(b.board.evaluate('n')).toBe(1);
  });

  test('FILE_SEND + DATA write a file to Storage in parts, ACKing each', () => {
    const b = makeBoard('');
    settle(b);
    b.clear();
    const content = 'A'.repeat(3000) + 'end';
    b.board.console.write(pkt(PT.FILE_SEND, JSON.stringify({ fn: 'fw.js', s: content.length })));
    for (let i = 0; i < content.length; i += 1024) b.board.console.write(pkt(PT.DATA, content.slice(i, i + 1024)));
    settle(b);
    expect([...b.out]).toEqual([ACK, ACK, ACK, ACK]);
    expect(b.board.storage.read('fw.js')).toBe(content);
    b.clear();
    b.board.console.write(pkt(PT.DATA, 'x')); // no file transfer open any more
    settle(b);
    expect([...b.out]).toEqual([NAK]);
  });

  test('EVAL answers with a RESPONSE packet; FILE_RECV sends a file back', () => {
    const b = makeBoard('var cfg = { depth: 1.5 };');
    settle(b);
    b.clear();
    b.board.console.write(pkt(PT.EVAL, 'cfg'));
    settle(b);
    const body = '{"depth":1.5}';
    expect([...b.out]).toEqual([ACK, 0x10, 0x01, 0, body.length, ...Buffer.from(body)]);
    b.board.storage.writeFile('f', 'hello');
    b.clear();
    b.board.console.write(pkt(PT.FILE_RECV, '{fn:"f"}'));
    settle(b);
    expect([...b.out]).toEqual([ACK, 0x10, 0x01, 0x80, 5, ...Buffer.from('hello'), 0x10, 0x01, 0x80, 0]);
  });

  test('link faults: lost link passes nothing either way; drops and corruption are seeded', () => {
    const b = makeBoard('var n = 0; E.on("packet", function () { n++; });');
    settle(b);
    b.clear();
    b.board.console.setFaults({ lost: true });
    b.board.console.write(pkt(PT.EVENT, '{"a":1}'));
    settle(b);
    expect(b.board.evaluate('n')).toBe(0);
    b.board.evaluate('print("lost?")');
    expect(b.out).toHaveLength(0);
    b.board.console.setFaults({ lost: false, corruptRate: 1, direction: 'to-board' });
    b.board.console.write(pkt(PT.EVENT, '{"a":1}'));
    settle(b);
    expect(b.board.evaluate('n')).toBe(0);
    expect(b.board.console.stats.corrupted).toBe(11);
    const run = (seed: number) => {
      const c = makeBoard('var got = []; E.on("packet", function (d) { got.push(d.i); });', { seed });
      c.board.console.setFaults({ dropRate: 0.02, direction: 'to-board' });
      for (let i = 0; i < 50; i++) c.board.console.write(pkt(PT.EVENT, `{"i":${i}}`));
      c.board.runFor(5);
      return c.board.evaluate('got.join()') as string;
    };
    expect(run(3)).toBe(run(3));
    expect(run(3).split(',').length).toBeLessThan(50);
  });

  test('E.setConsole moves the REPL away: host bytes go to USB.on("data")', () => {
    const b = makeBoard('var rx = ""; USB.on("data", function (d) { rx += d; }); Serial1.setConsole();');
    settle(b);
    b.clear();
    b.board.console.write('raw bytes');
    settle(b);
    expect(b.board.evaluate('rx')).toBe('raw bytes');
    expect(b.text()).toBe('');
    expect(b.board.evaluate('E.getConsole()')).toBe('Serial1');
  });
});
