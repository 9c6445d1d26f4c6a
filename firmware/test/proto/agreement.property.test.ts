// Property test: the pen's hand-written validators (firmware/src/proto/validate.ts) and
// the zod schemas accept and reject the same request bodies, with the same error code.
// Bodies are generated from each request's JSON Schema export: mostly valid, with
// boundary values, off-grid numbers, wrong types, missing and extra keys mixed in.
import fc from 'fast-check';
import { z } from 'zod';
import { REQUESTS, REQUEST_IDS } from '@stipple/protocol/schemas';
import { checkRequest } from '@stipple/protocol/envelope';
import { checkBody } from '@stipple/firmware/proto/validate';

type JS = Record<string, any>;

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 5 }), fc.constant([]), fc.constant({}), fc.constant('\u00e9'), fc.constant(1e300), fc.constant(-0),
);

/** Weight of a valid value against an invalid one at each node of a body. */
const W = 60;

function numArb(s: JS, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? -1e6;
  const max = s.maximum ?? 1e6;
  const step = s.multipleOf as number | undefined;
  const cap = (x: number) => Math.max(-0x7fffffff, Math.min(0x7fffffff, x));
  let good: fc.Arbitrary<number>;
  if (step) good = fc.integer({ min: Math.ceil(min / step - 1e-9), max: Math.floor(max / step + 1e-9) }).map((k) => k * step);
  else if (integer) good = fc.integer({ min: cap(Math.ceil(min)), max: cap(Math.floor(max)) });
  else good = fc.oneof(fc.double({ min, max, noNaN: true }), fc.constantFrom(min, max));
  const edges = [min, max, min - (integer ? 1 : 1e-9), max + (integer ? 1 : 1e-9), min + 0.5, max + 1e-3];
  const bad: fc.Arbitrary<number>[] = [fc.constantFrom(...edges), fc.double({ min: min - 1, max: max + 1, noNaN: true })];
  if (step) bad.push(fc.integer({ min: Math.round(min / step) - 3, max: Math.round(max / step) + 3 }).map((k) => k * step + step / 2));
  if (integer) bad.push(fc.integer({ min: cap(Math.ceil(min) - 3), max: cap(Math.floor(max) + 3) }));
  return fc.oneof({ weight: W, arbitrary: good }, { weight: 3, arbitrary: fc.oneof(...bad) });
}

function strArb(s: JS): fc.Arbitrary<string> {
  if (s.enum) return fc.oneof({ weight: W, arbitrary: fc.constantFrom(...(s.enum as string[])) },
    { weight: 1, arbitrary: fc.constantFrom('', 'X', (s.enum as string[])[0].toUpperCase()) });
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 40;
  const hex = typeof s.pattern === 'string' && s.pattern.includes('0-9a-f');
  const ok = hex ? fc.constantFrom(...'0123456789abcdef'.split('')) : fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
  const any = fc.oneof({ weight: 20, arbitrary: ok }, { weight: 1, arbitrary: fc.constantFrom('\n', '\u00e9', '\u0000', '\u007f', 'A') });
  return fc.oneof(
    { weight: W, arbitrary: fc.array(ok, { minLength: min, maxLength: max }).map((a) => a.join('')) },
    { weight: 2, arbitrary: fc.array(any, { minLength: Math.max(0, min - 1), maxLength: max + 1 }).map((a) => a.join('')) });
}

function arb(s: JS): fc.Arbitrary<unknown> {
  let good: fc.Arbitrary<unknown>;
  if (s.enum && s.type === undefined) s = { ...s, type: 'string' };
  switch (s.type) {
    case 'integer': good = numArb(s, true); break;
    case 'number': good = numArb(s, false); break;
    case 'string': good = strArb(s); break;
    case 'boolean': good = fc.boolean(); break;
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? 8, 70);
      good = fc.oneof({ weight: W, arbitrary: fc.array(arb(s.items), { minLength: min, maxLength: Math.min(max, min + 4) }) },
        { weight: 2, arbitrary: fc.array(arb(s.items), { minLength: Math.max(0, min - 1), maxLength: max + 1 }) });
      break;
    }
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, JS>;
      const req = new Set<string>(s.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const k of Object.keys(props)) model[k] = arb(props[k]);
      good = fc.tuple(
        fc.record(model),
        fc.subarray(Object.keys(props)),
        fc.oneof({ weight: W, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('extra', 'toString', '__proto__') }),
        fc.oneof({ weight: W, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...Object.keys(props), 'x') }),
      ).map(([rec, keep, extra, drop]) => {
        const o: Record<string, unknown> = {};
        for (const k of Object.keys(props)) if ((req.has(k) || keep.includes(k)) && k !== drop) o[k] = rec[k];
        if (extra) Object.defineProperty(o, extra, { value: 1, enumerable: true, writable: true, configurable: true });
        return o;
      });
      break;
    }
    default: good = junk;
  }
  return fc.oneof({ weight: W, arbitrary: good }, { weight: 1, arbitrary: junk });
}

/** Round-trip through JSON, as the body does on the wire. */
const wire = (v: unknown) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

describe('firmware validators agree with zod', () => {
  for (const id of REQUEST_IDS) {
    test(id, () => {
      const schema = z.toJSONSchema(REQUESTS[id].req, { unrepresentable: 'any' }) as JS;
      let accepted = 0;
      let rejected = 0;
      fc.assert(fc.property(arb(schema), (raw) => {
        const body = wire(raw);
        if (body === undefined) return;
        const host = checkRequest(id, body);
        const pen = checkBody(id, body);
        const penCode = pen ? pen.split(' ')[0] : 'ok';
        const hostCode = host.ok ? 'ok' : host.code;
        if (host.ok) accepted++;
        else rejected++;
        if (penCode !== hostCode) throw new Error(`${id} ${JSON.stringify(body)}: zod ${hostCode}${host.ok ? '' : ' (' + host.msg + ')'}, pen ${pen || 'ok'}`);
      }), { numRuns: 4000, seed: 42 });
      // the generator must reach both sides of the boundary
      expect(accepted).toBeGreaterThan(id === 'calWrite' ? 5 : id === 'setPreset' ? 30 : 100);
      expect(rejected).toBeGreaterThan(100);
    });
  }
});
