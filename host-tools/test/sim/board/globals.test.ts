import { makeBoard } from './helpers';

describe('Espruino globals in the context', () => {
  test('globals Espruino lacks are absent', () => {
    const { board } = makeBoard('');
    expect(() => board.evaluate('new Map()')).toThrow(/Map is not defined/);
    const absent = board.evaluate(`[typeof Map, typeof Set, typeof WeakMap, typeof WeakSet, typeof Symbol, typeof Proxy, typeof Reflect,
      typeof Array.from, typeof Object.freeze, typeof Number.isInteger, typeof Number.isFinite, typeof Number.EPSILON,
      typeof Math.trunc, typeof Math.hypot, typeof Math.log10, typeof Math.cbrt, typeof Math.tanh, typeof Promise.prototype.finally,
      typeof Buffer, typeof setImmediate, typeof WebAssembly].join()`);
    expect(absent).toBe(Array(21).fill('undefined').join());
  });

  test('a boot script using Map fails with an Uncaught ReferenceError, and the board keeps running', () => {
    const { board, text } = makeBoard('var ok = 1; var m = new Map(); var notReached = 1;');
    expect(board.uncaughtErrors[0]!.message).toMatch(/^ReferenceError: Map is not defined/);
    expect(text()).toContain('Uncaught ReferenceError: Map is not defined');
    expect(board.global!.ok).toBe(1);
    expect(board.global!.notReached).toBeUndefined();
    expect(board.evaluate('1+1')).toBe(2);
  });

  test('nothing from Node: require only knows Storage, process only memory/env', () => {
    const { board } = makeBoard('');
    expect(() => board.evaluate('require("fs")')).toThrow(/Module fs not found/);
    expect(board.evaluate('typeof process.exit + typeof process.versions + typeof process.memory')).toBe('undefinedundefinedfunction');
    expect(board.evaluate('process.env.BOARD + " " + process.env.VERSION')).toBe('PICO 2v25');
    expect(board.evaluate('E.getConsole()')).toBe('USB');
  });

  test('process.env per profile', () => {
    for (const [p, name] of [['WIFI', 'ESPRUINOWIFI'], ['MDBT42Q', 'MDBT42Q'], ['ESP32', 'ESP32']] as const) {
      const { board } = makeBoard('', { profile: p });
      expect(board.evaluate('process.env.BOARD')).toBe(name);
      expect(board.evaluate('process.memory().total')).toBe(board.profile.jsVars);
    }
  });

  test('E helpers', () => {
    const { board } = makeBoard('');
    expect(board.evaluate('E.CRC32("hello")')).toBe(907060870);
    expect(board.evaluate('E.CRC32(new Uint8Array([104,101,108,108,111]))')).toBe(907060870);
    expect(board.evaluate('E.sum(new Uint8Array([1,2,3,4]))')).toBe(10);
    expect(board.evaluate('E.variance([1,2,3,4], 2.5)')).toBeCloseTo(1.25);
    // E.convolve as measured on the 2v29 interpreter: Σ a[i]·b[(i + offset) % b.length]
    expect(board.evaluate('E.convolve(new Uint8Array([1,0,0,0,1,0,0,0]), new Uint16Array([1,2,3,4,5,6,7,8]), 7)')).toBe(12);
    expect(board.evaluate('E.convolve(new Uint8Array([1,0,0,0,1,0,0,0]), new Uint16Array([1,2,3,4,5,6,7,8]), 1)')).toBe(8);
    expect(board.evaluate('E.clip(5, 0, 3)')).toBe(3);
    expect(board.evaluate('E.interpolate([0, 10, 20], 1.5)')).toBe(15);
    expect(board.evaluate('btoa("hello")')).toBe('aGVsbG8=');
    expect(board.evaluate('atob("aGVsbG8=")')).toBe('hello');
  });

  test('pins: globals and strings are both accepted; invalid pins throw', () => {
    const { board, hw } = makeBoard('digitalWrite(B4, 1); digitalWrite("B5", 0); LED1.set();');
    expect(hw.lastDrive('B4')).toEqual({ kind: 'digital', value: true });
    expect(hw.lastDrive('B5')).toEqual({ kind: 'digital', value: false });
    expect(hw.lastDrive('A13')).toEqual({ kind: 'digital', value: true });
    expect(String(board.evaluate('String(A5)'))).toBe('A5');
    expect(() => board.evaluate('digitalWrite("Z9", 1)')).toThrow(/Invalid pin/);
  });

  test('objects are event emitters; E.on("init") and onInit run after boot', () => {
    const { board } = makeBoard('var log=[]; E.on("init", function(){ log.push("init"); }); function onInit(){ log.push("onInit"); } log.push("boot");');
    expect(board.evaluate('log.join()')).toBe('boot,init,onInit');
    expect(board.evaluate('var o={}; var r=0; o.on("x", function(a){ r=a; }); o.emit("x", 5); r')).toBe(5);
  });

  test('Promise callbacks run after the event that queued them', () => {
    const { board } = makeBoard('var r=[]; setTimeout(function(){ Promise.resolve(1).then(function(v){ r.push("then"+v); }); r.push("sync"); }, 10);');
    board.runFor(0.02);
    expect(board.evaluate('r.join()')).toBe('sync,then1');
  });

  test('Math.random and Date are deterministic and on virtual time', () => {
    const a = makeBoard('var r = [Math.random(), Math.random()];', { seed: 7 });
    const b = makeBoard('var r = [Math.random(), Math.random()];', { seed: 7 });
    expect(a.board.evaluate('r.join()')).toBe(b.board.evaluate('r.join()'));
    a.board.runFor(2.5);
    expect(a.board.evaluate('Date.now()')).toBe(2500);
    expect(a.board.evaluate('new Date().getTime()')).toBe(2500);
    expect(a.board.evaluate('getTime()')).toBeCloseTo(2.5, 9);
  });

  test('process.memory(): an estimate in JsVars that grows with the data the firmware keeps', () => {
    const { board } = makeBoard('');
    const m0 = board.evaluate('process.memory()') as { usage: number; free: number; total: number };
    expect(m0.total).toBe(5100);
    expect(m0.usage + m0.free).toBe(5100);
    board.evaluate('var big = new Float32Array(600); var objs = []; for (var i = 0; i < 50; i++) objs.push({ a: i, b: "x" });');
    const m1 = board.evaluate('process.memory()') as { usage: number };
    // 2400 bytes / 12 = 200 vars of typed array, 50 objects * (1 + 2*2) + 2 per element
    expect(m1.usage - m0.usage).toBeGreaterThan(200 + 250);
    expect(m1.usage - m0.usage).toBeLessThan(700);
    // the estimate is deterministic
    expect((board.evaluate('process.memory()') as { usage: number }).usage).toBe(m1.usage);
  });
});
