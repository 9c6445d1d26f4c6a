// The dispatcher's stateful rules: duplicates, SERVICE, schema lock, authentication,
// busy, events and telemetry, errors from handlers.
import { createHmac } from 'node:crypto';
import { encodeFrameJson, checkReply, checkEvent } from '@stipple/protocol/envelope';
import { REQUEST_FLAGS, TLM_ALL, TLM_FIELDS, TLM_STROKE_FIELDS, PROTOCOL_VERSION } from '@stipple/protocol/limits';
import { REQUEST_IDS } from '@stipple/protocol/schemas';
import { decodeTelemetry } from '@stipple/protocol/telemetry';
import { requestFlags } from '@stipple/firmware/proto/dispatcher';
import { protoError } from '@stipple/firmware/proto/pen-api';
import { makeDispatcher, parsePacket, STATE_CHANGING } from './fake-pen';

const FP = '0123456789abcdef';
const req = (id: string, s: number, body: unknown = {}) => JSON.parse(encodeFrameJson(id, s, body));
const last = (out: string[]) => parsePacket(out[out.length - 1]);
const changing = (calls: { name: string }[]) => calls.filter((c) => STATE_CHANGING.includes(c.name)).map((c) => c.name);

test('the firmware flag table agrees with limits.ts REQUEST_FLAGS and the schemas', () => {
  expect(Object.keys(REQUEST_FLAGS).sort()).toEqual([...REQUEST_IDS].sort());
  for (const id of REQUEST_IDS) expect([id, requestFlags(id)]).toEqual([id, REQUEST_FLAGS[id]]);
  expect(requestFlags('nope')).toBe(-1);
});

test('a repeated seq is answered DUPLICATE and not executed again', () => {
  const { d, pen, out } = makeDispatcher();
  d.handleFrame(req('setConfig', 5, { depth: 1 }));
  d.handleFrame(req('setConfig', 5, { depth: 1 }));
  expect(pen.calls.filter((c) => c.name === 'setConfig')).toHaveLength(1);
  expect(last(out).body.code).toBe('DUPLICATE');
  d.handleFrame(req('setConfig', 6, { depth: 1 }));
  expect(last(out).i).toBe('setConfig');
});

test('SERVICE-only requests need SERVICE mode; runStart too unless bench build', () => {
  const { d, pen, out } = makeDispatcher();
  let s = 1;
  for (const [id, body] of [['setLimit', { needle: '1RL', maxDepth: 1.5 }], ['hold', { duty: 0.5 }], ['sweep', { duties: [0.1], dwellMs: 50 }],
    ['capture', { rate: 100, duty: 0.5 }], ['calRestore', {}], ['runStart', { depth: 1, rate: 100, maxS: 10 }]] as const) {
    d.handleFrame(req(id, s++, body));
    expect([id, last(out).body.code]).toEqual([id, 'NEEDS_SERVICE']);
  }
  expect(changing(pen.calls)).toEqual([]);
  const bench = makeDispatcher({ bench: true });
  bench.d.handleFrame(req('runStart', 1, { depth: 1, rate: 100, maxS: 10 }));
  expect(last(bench.out).body).toEqual({ running: true });
});

test('challenge-response: right MAC enters SERVICE; wrong, stale or replayed nonces fail', () => {
  const { d, pen, out, clock } = makeDispatcher();
  const mac = (nonce: string, secret = pen.secret) => createHmac('sha256', Buffer.from(secret, 'latin1')).update(nonce + '|' + pen.serial).digest('hex');
  d.handleFrame(req('svcChallenge', 1));
  const nonce = last(out).body.nonce;
  expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  d.handleFrame(req('svcEnter', 2, { mac: mac(nonce, 'wrong secret') }));
  expect(last(out).body.code).toBe('AUTH_FAILED');
  d.handleFrame(req('svcEnter', 3, { mac: mac(nonce) })); // nonce already consumed
  expect(last(out).body.code).toBe('AUTH_FAILED');
  expect(pen.service).toBe(false);
  d.handleFrame(req('svcChallenge', 4));
  const n2 = last(out).body.nonce;
  expect(n2).not.toBe(nonce);
  clock.advance(61000);
  d.handleFrame(req('svcEnter', 5, { mac: mac(n2) }));
  expect(last(out).body.code).toBe('AUTH_FAILED');
  d.handleFrame(req('svcChallenge', 6));
  d.handleFrame(req('svcEnter', 7, { mac: mac(last(out).body.nonce) }));
  expect(last(out).body).toEqual({ service: true });
  expect(pen.service).toBe(true);
  d.handleFrame(req('hold', 8, { duty: 0.3 }));
  expect(last(out).i).toBe('hold');
  d.handleFrame(req('svcLeave', 9));
  expect(pen.service).toBe(false);
});

test('a hello with another fingerprint locks the pen until a matching hello', () => {
  const { d, pen, out } = makeDispatcher({ fp: FP });
  d.handleFrame(req('hello', 1, { pv: 1, fp: 'ffffffffffffffff' }));
  const e = last(out).body;
  expect(e.code).toBe('BAD_VERSION');
  expect(e.msg).toContain(FP);
  expect(e.msg).toContain('ffffffffffffffff');
  d.handleFrame(req('setConfig', 2, { depth: 1 }));
  expect(last(out).body.code).toBe('BAD_VERSION');
  expect(changing(pen.calls)).toEqual([]);
  d.handleFrame(req('hello', 3, { pv: PROTOCOL_VERSION, fp: FP }));
  expect(last(out).body).toEqual(expect.objectContaining({ pv: PROTOCOL_VERSION, fp: FP, serial: pen.serial }));
  expect(checkReply('hello', last(out).body).ok).toBe(true);
  d.handleFrame(req('setConfig', 4, { depth: 1 }));
  expect(last(out).i).toBe('setConfig');
});

test('slow requests: BUSY for other writes, runStop still allowed, reply when done', async () => {
  const { d, pen, out } = makeDispatcher({ service: true });
  pen.async = true;
  d.handleFrame(req('sweep', 1, { duties: [0, 0.5], dwellMs: 100 }));
  expect(out).toHaveLength(0);
  d.handleFrame(req('hold', 2, { duty: 0.5 }));
  expect(last(out).body.code).toBe('BUSY');
  d.handleFrame(req('status', 3));
  expect(last(out).i).toBe('status');
  d.handleFrame(req('runStop', 4));
  expect(last(out).i).toBe('runStop');
  pen.release();
  await new Promise((r) => setImmediate(r));
  const r = last(out);
  expect([r.i, r.s, r.body]).toEqual(['sweep', 1, { hall: [20000, 35000] }]);
  d.handleFrame(req('hold', 5, { duty: 0.5 }));
  pen.release();
  await new Promise((r) => setImmediate(r));
  expect(last(out).i).toBe('hold');
});

test('handler errors become typed error replies', async () => {
  const { d, pen, out } = makeDispatcher();
  pen.setConfig = () => { throw protoError('OUT_OF_RANGE', 'depth 1.9 mm is above the 1RL limit 1.5 mm'); };
  d.handleFrame(req('setConfig', 1, { depth: 1.9 }));
  expect(last(out).body).toEqual({ code: 'OUT_OF_RANGE', msg: 'depth 1.9 mm is above the 1RL limit 1.5 mm' });
  pen.getFaults = () => { throw new Error('boom'); };
  d.handleFrame(req('getFaults', 2));
  expect(last(out).body).toEqual({ code: 'INTERNAL', msg: 'boom' });
  pen.setPreset = (() => Promise.reject(protoError('NOT_ALLOWED', 'preset in use'))) as never;
  d.handleFrame(req('setPreset', 3, { index: 0, preset: { name: 'a', depth: 1, rate: 100, needle: '1RL', dia: 0.25, depthMin: 1, depthMax: 1, rateMin: 100, rateMax: 100 } }));
  await new Promise((r) => setImmediate(r));
  expect(last(out).body.code).toBe('NOT_ALLOWED');
  pen.getCounters = () => ({ code: 'WHATEVER' } as never);
  d.handleFrame(req('getCounters', 4));
  expect(checkReply('getCounters', last(out).body).ok).toBe(false); // the host catches a bad reply (zod)
});

test('reboot replies before rebooting; heartbeats get no reply', () => {
  const { d, pen, out } = makeDispatcher();
  pen.reboot = () => { pen.calls.push({ name: 'reboot', arg: out.length }); };
  d.handleFrame(req('reboot', 1));
  expect(out).toHaveLength(1);
  expect(pen.calls.find((c) => c.name === 'reboot')!.arg).toBe(1);
  d.handleFrame(req('hb', 2));
  expect(out).toHaveLength(1);
});

test('events and telemetry are framed, CRC-checked and schema-valid', () => {
  const { d, out } = makeDispatcher();
  d.event('state', { state: 'RUNNING', prev: 'READY', t: 5000 });
  d.event('fault', { code: 3, t: 5100, ctx: 'I=2.4A' });
  d.event('warn', { code: 'depthNotReached', t: 5200 });
  const values = [123456, 1200, 1187, 120, 640, 850, 365, 3, 0, 1, 9, 10];
  d.telemetry(values, [1180, 1190]); // not subscribed: nothing
  expect(out).toHaveLength(3);
  d.handleFrame(req('tlmSub', 1, { every: 10, fields: ['depthUm', 't'], perStroke: true }));
  expect(last(out).body).toEqual({ mask: 0b101, every: 10, perStroke: true });
  d.telemetry(values, [1180, 1190]);
  d.handleFrame(req('tlmSub', 2, { every: 20 }));
  expect(last(out).body.mask).toBe(TLM_ALL);
  d.telemetry(values);
  const pk = out.map(parsePacket);
  expect(pk.map((p) => p.i)).toEqual(['state', 'fault', 'warn', 'tlmSub', 'tlm', 'tlmSub', 'tlm']);
  expect(pk.filter((p) => p.i !== 'tlmSub').map((p) => p.s)).toEqual([1, 2, 3, 4, 5]);
  for (const p of pk) if (p.i !== 'tlmSub') expect([p.i, checkEvent(p.i, p.body).ok]).toEqual([p.i, true]);
  expect(pk[4].body).toEqual([5, 123456, 1187, [1180, 1190]]);
  expect(decodeTelemetry(pk[4].body)).toEqual({ t: 123456, depthUm: 1187, depths: [1180, 1190] });
  const full = decodeTelemetry(pk[6].body);
  TLM_FIELDS.forEach((f, k) => expect(full[f as keyof typeof full]).toBe(values[k]));
  d.handleFrame(req('tlmUnsub', 3));
  d.telemetry(values);
  expect(out).toHaveLength(8);
});

test('a record made before any stroke leaves out the stroke fields (and the per-stroke depths); none left: nothing sent', () => {
  const { d, out } = makeDispatcher();
  const values = [123456, 1200, 0, 0, 0, 0, 365, 3, 0, 0, 0, 0];
  d.handleFrame(req('tlmSub', 1, { every: 12, perStroke: true }));
  d.telemetry(values, undefined, TLM_STROKE_FIELDS);
  const pk = last(out);
  expect(pk.i).toBe('tlm');
  expect(checkEvent(pk.i, pk.body).ok).toBe(true);
  expect(decodeTelemetry(pk.body)).toEqual({ t: 123456, setUm: 1200, rate: 0, mA: 0, dC: 365, state: 3, fault: 0, warn: 0 });
  d.handleFrame(req('tlmSub', 2, { every: 12, fields: ['depthUm', 'n'] }));
  const before = out.length;
  d.telemetry(values, undefined, TLM_STROKE_FIELDS);
  expect(out).toHaveLength(before);
});

test('a reply too long for one packet becomes INTERNAL', () => {
  const { d, pen, out } = makeDispatcher({ service: true });
  pen.capture = () => ({ fs: 1, samples: new Array(3000).fill(65535) });
  d.handleFrame(req('capture', 1, { rate: 100, duty: 0.5 }));
  expect(last(out).body.code).toBe('INTERNAL');
});
