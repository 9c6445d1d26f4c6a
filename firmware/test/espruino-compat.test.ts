// The bundle checker: each built bundle must be clean, and each thing Espruino lacks
// (shared/espruino.md) must be caught in a deliberately bad input.
import { readFileSync, existsSync } from 'fs';
import path from 'path';
import { checkEspruinoCompat } from '../tools/espruino-compat';
import { detokenise } from '../../host-tools/src/sim/board/pretokenised';

const dist = path.join(__dirname, '..', 'dist');

describe('built bundles', () => {
  for (const file of ['stipple.js', 'stipple-bench.js']) {
    it(`${file} uses nothing Espruino lacks`, () => {
      const p = path.join(dist, file);
      expect(existsSync(p)).toBe(true);
      // stored pretokenised (firmware/tools/pretokenise.mjs): checked as the text it stands for
      const findings = checkEspruinoCompat(detokenise(readFileSync(p, 'latin1')));
      expect(findings).toEqual([]);
    });
  }
});

describe('the checker rejects what Espruino lacks', () => {
  const bad: [string, string, string][] = [
    ['default parameter', 'function f(a = 1) { return a; }', 'syntax'],
    ['rest parameter', 'function f(a, ...b) { return b; }', 'syntax'],
    ['spread call', 'f(...args);', 'syntax'],
    ['array spread', 'var a = [...b];', 'syntax'],
    ['object spread', 'var a = { ...b };', 'syntax'],
    ['object destructuring', 'var { a } = o;', 'syntax'],
    ['array destructuring', 'var [a, b] = o;', 'syntax'],
    ['destructured parameter', 'function f({ a }) { return a; }', 'syntax'],
    ['computed key', 'var o = { [k]: 1 };', 'syntax'],
    ['optional chaining', 'var a = o?.b;', 'syntax'],
    ['exponent', 'var a = 2 ** 3;', 'syntax'],
    ['async function', 'async function f() { await g(); }', 'syntax'],
    ['generator', 'function* g() { yield 1; }', 'syntax'],
    ['label', 'outer: for (var i = 0; i < 3; i++) { continue outer; }', 'syntax'],
    ['tagged template', 'var s = tag`x`;', 'syntax'],
    ['private field', 'class A { #x = 1; }', 'syntax'],
    ['Map', 'var m = new Map();', 'global'],
    ['Set', 'var s = new Set([1]);', 'global'],
    ['Symbol', 'var s = Symbol("x");', 'global'],
    ['Array.from', 'var a = Array.from(b);', 'global'],
    ['Object.freeze', 'Object.freeze(o);', 'global'],
    ['Number.isInteger', 'Number.isInteger(1);', 'global'],
    ['Number.isFinite', 'Number.isFinite(1);', 'global'],
    ['Number.EPSILON', 'var e = Number.EPSILON;', 'global'],
    ['Math.trunc', 'Math.trunc(1.5);', 'global'],
    ['Math.hypot', 'Math.hypot(1, 2);', 'global'],
    ['Math.log10', 'Math.log10(2);', 'global'],
    ['Math.cbrt', 'Math.cbrt(2);', 'global'],
    ['Math.tanh', 'Math.tanh(2);', 'global'],
    ['Promise.finally', 'p.then(a).finally(b);', 'global'],
    ['call before declaration (top level)', 'f(); function f() {}', 'use-before-declaration'],
    ['call before declaration (in a function)', 'function o() { g(); function g() {} }', 'use-before-declaration'],
    ['static inheritance', 'class A { static s() {} } class B extends A {} B.s();', 'static-inheritance'],
    ['array length assignment', 'var a = [1, 2]; a.length = 0;', 'length-assignment'],
    ['named class expression self-reference', 'var C = class _C { m() { return _C.k; } };', 'named-class-expression'],
    ['closure over loop let', 'for (let i = 0; i < 3; i++) { fns.push(function () { return i; }); }', 'loop-closure'],
    ['closure over loop const', 'for (const x of xs) { fns.push(() => x); }', 'loop-closure'],
    ['closure over let in loop body', 'while (n--) { let v = n; cb(() => v); }', 'loop-closure'],
  ];
  for (const [what, code, rule] of bad) {
    it(`rejects ${what}`, () => {
      const findings = checkEspruinoCompat(code);
      expect(findings.map((f) => f.rule)).toContain(rule);
    });
  }

  it('reports a syntax error as a parse finding', () => {
    expect(checkEspruinoCompat('var = ;')[0].rule).toBe('parse');
  });

  it('accepts what Espruino has', () => {
    const good = [
      'var f = (a) => a + 1;',
      'class A { constructor() { this.x = 1; } get y() { return this.x; } } class B extends A { constructor() { super(); } }',
      'let a = 1; const b = `t${a}`; for (const c of [1, 2]) { a += c; }',
      'var o = { a, m() { return 1; } }; var x = o.a ?? 2;',
      'try { f(); } catch { }',
      'function f() {} f();',
      'var m = o.Map; var s = { Set: 1 };',
      'for (var i = 0; i < 3; i++) { fns.push(function () { return 0; }); }',
      'var C = class { m() { return 1; } };',
      'function outer() { return inner(); } function inner() { return 1; } outer();',
    ];
    for (const code of good) expect(checkEspruinoCompat(code)).toEqual([]);
  });
});
