// Writes the golden request vectors (requests.json). Run once after changing a vector:
//   npx ts-node --transpile-only protocol/test/vectors/make-vectors.ts
// The JSON is committed; tests read it and never regenerate it. `expect` is the answer
// of both the host's zod check (checkRequestFrame) and the pen's dispatcher ("ok" or an
// error code); `pen` overrides it for the pen when its state decides (SERVICE off, no challenge).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from '../../src/crc32';

const FP = '0123456789abcdef';
let seq = 100;
function frame(i: string, body: unknown, over: Record<string, unknown> = {}) {
  const b = typeof body === 'string' && over.rawBody ? body : JSON.stringify(body);
  const f: Record<string, unknown> = { v: 1, i, s: ++seq, b, c: crc32(b) };
  for (const k of Object.keys(over)) if (k !== 'rawBody') { if (over[k] === undefined) delete f[k]; else f[k] = over[k]; }
  return f;
}
const preset = { name: 'density', depth: 1.0, rate: 120, needle: '3RL', dia: 0.3, depthMin: 0.7, depthMax: 1.4, rateMin: 90, rateMax: 150 };
const cal = {
  hall: { offset: 0.42, mmPerUnit: 5.6 },
  stroke: { rates: [50, 100, 150], gain: [2.1, 2.0, 1.9], offset: [-0.3, -0.25, -0.2], push: 0.45 },
  actuator: { r: 4.2, kf: 2.5, k: 0.8, m: 3.1, c: 1.2 },
  gains: { kp: 0.2, ki: 1.5 },
  meta: { technician: 'A. Tech', gaugeId: 'G-17', date: '2025-03-01', firmware: '0.1.0', serial: 'SP-000123' },
};
type V = { name: string; frame: unknown; expect: string; pen?: string; call?: string };
const v: V[] = [];
const ok = (name: string, i: string, body: unknown, call?: string, pen?: string) => v.push({ name, frame: frame(i, body), expect: 'ok', call, ...(pen ? { pen } : {}) });
const bad = (name: string, i: string, body: unknown, expect: string) => v.push({ name, frame: frame(i, body), expect });

// ---- valid requests, one per message ----
ok('hello', 'hello', { pv: 1, fp: FP, host: 'stipple 0.1.0' }, 'info');
ok('hello without host', 'hello', { pv: 1, fp: FP }, 'info');
for (const id of ['status', 'getConfig', 'getPresets', 'getLimits', 'getCounters', 'getFaults', 'sensors', 'calRead']) ok(id, id, {}, id);
ok('clearFaults', 'clearFaults', {}, 'clearFaults');
ok('setConfig depth+rate', 'setConfig', { depth: 1.25, rate: 120 }, 'setConfig');
ok('setConfig all', 'setConfig', { depth: 0.2, rate: 150, pedal: 'toggle', preset: 7, autoOffMin: 120, maxRunMin: 1, idleInAir: false }, 'setConfig');
ok('setConfig depth 2.0', 'setConfig', { depth: 2 }, 'setConfig');
ok('setConfig depth 0.29', 'setConfig', { depth: 0.29 }, 'setConfig');
ok('setPreset', 'setPreset', { index: 1, preset }, 'setPreset');
ok('deletePreset', 'deletePreset', { index: 2 }, 'deletePreset');
ok('setLimit', 'setLimit', { needle: '1RL', maxDepth: 1.8 }, 'setLimit');
ok('svcChallenge', 'svcChallenge', {});
ok('svcEnter (no challenge on the pen)', 'svcEnter', { mac: 'ab'.repeat(32) }, undefined, 'AUTH_FAILED');
ok('svcLeave', 'svcLeave', {}, 'setService');
ok('runStart', 'runStart', { depth: 1, rate: 100, maxS: 60 }, 'runStart');
ok('runStop', 'runStop', {}, 'runStop');
ok('hb', 'hb', {}, 'heartbeat');
ok('hold', 'hold', { duty: 0.5, settleMs: 200 }, 'hold');
ok('hold duty only', 'hold', { duty: 0 }, 'hold');
ok('sweep', 'sweep', { duties: [0, 0.25, 0.5, 1], dwellMs: 100 }, 'sweep');
ok('capture', 'capture', { rate: 120, duty: 0.6, n: 256 }, 'capture');
ok('calWrite', 'calWrite', { cal }, 'calWrite');
ok('calWrite stage only', 'calWrite', { cal: { ...cal, stroke: undefined, actuator: undefined, stage: { stepsPerMm: 1600, depthAtHome: -0.5, stepsPerRev: 400, lobes: 3 } } }, 'calWrite');
ok('calRestore', 'calRestore', {}, 'calRestore');
ok('tlmSub', 'tlmSub', { every: 10, fields: ['t', 'depthUm'], perStroke: true }, 'tlmSub');
ok('tlmSub all fields', 'tlmSub', { every: 1000 }, 'tlmSub');
ok('tlmUnsub', 'tlmUnsub', {}, 'tlmUnsub');
ok('reboot', 'reboot', {}, 'reboot');

// ---- invalid bodies ----
bad('setConfig empty', 'setConfig', {}, 'BAD_FIELD');
bad('setConfig depth too deep', 'setConfig', { depth: 2.5 }, 'OUT_OF_RANGE');
bad('setConfig depth too shallow', 'setConfig', { depth: 0.1 }, 'OUT_OF_RANGE');
bad('setConfig depth off the 0.01 grid', 'setConfig', { depth: 1.005 }, 'OUT_OF_RANGE');
bad('setConfig depth as string', 'setConfig', { depth: '1' }, 'BAD_FIELD');
bad('setConfig depth null', 'setConfig', { depth: null }, 'BAD_FIELD');
bad('setConfig rate not integer', 'setConfig', { rate: 100.5 }, 'BAD_FIELD');
bad('setConfig rate too high', 'setConfig', { rate: 151 }, 'OUT_OF_RANGE');
bad('setConfig pedal unknown', 'setConfig', { pedal: 'press' }, 'BAD_FIELD');
bad('setConfig unknown key', 'setConfig', { depth: 1, foo: 1 }, 'BAD_FIELD');
bad('setConfig type error wins over range error', 'setConfig', { depth: 3, pedal: 1 }, 'BAD_FIELD');
bad('setConfig idleInAir not boolean', 'setConfig', { idleInAir: 1 }, 'BAD_FIELD');
bad('setConfig preset index 8', 'setConfig', { preset: 8 }, 'OUT_OF_RANGE');
bad('setPreset depth outside its range', 'setPreset', { index: 0, preset: { ...preset, depth: 1.5 } }, 'OUT_OF_RANGE');
bad('setPreset rate outside its range', 'setPreset', { index: 0, preset: { ...preset, rate: 80 } }, 'OUT_OF_RANGE');
bad('setPreset name too long', 'setPreset', { index: 0, preset: { ...preset, name: 'x'.repeat(17) } }, 'OUT_OF_RANGE');
bad('setPreset name with newline', 'setPreset', { index: 0, preset: { ...preset, name: 'a\nb' } }, 'BAD_FIELD');
bad('setPreset name non-ASCII', 'setPreset', { index: 0, preset: { ...preset, name: 'dichte\u00e9' } }, 'BAD_FIELD');
bad('setPreset empty name', 'setPreset', { index: 0, preset: { ...preset, name: '' } }, 'OUT_OF_RANGE');
bad('setPreset diameter too big', 'setPreset', { index: 0, preset: { ...preset, dia: 0.4 } }, 'OUT_OF_RANGE');
bad('setPreset unknown needle', 'setPreset', { index: 0, preset: { ...preset, needle: '5RL' } }, 'BAD_FIELD');
bad('setPreset missing field', 'setPreset', { index: 0, preset: { ...preset, rateMax: undefined } }, 'BAD_FIELD');
bad('setPreset extra field', 'setPreset', { index: 0, preset: { ...preset, colour: 'black' } }, 'BAD_FIELD');
bad('setPreset preset not an object', 'setPreset', { index: 0, preset: [1] }, 'BAD_FIELD');
bad('setLimit above 2.0 mm', 'setLimit', { needle: '1RL', maxDepth: 2.01 }, 'OUT_OF_RANGE');
bad('hello fingerprint too short', 'hello', { pv: 1, fp: 'abcd' }, 'OUT_OF_RANGE');
bad('hello fingerprint upper case', 'hello', { pv: 1, fp: FP.toUpperCase() }, 'BAD_FIELD');
bad('hello missing pv', 'hello', { fp: FP }, 'BAD_FIELD');
bad('svcEnter mac too short', 'svcEnter', { mac: 'ab' }, 'OUT_OF_RANGE');
bad('runStart rate too low', 'runStart', { depth: 1, rate: 49, maxS: 60 }, 'OUT_OF_RANGE');
bad('runStart missing maxS', 'runStart', { depth: 1, rate: 100 }, 'BAD_FIELD');
bad('hold duty 1.5', 'hold', { duty: 1.5 }, 'OUT_OF_RANGE');
bad('hold duty missing', 'hold', {}, 'BAD_FIELD');
bad('hold settleMs too short', 'hold', { duty: 0.5, settleMs: 1 }, 'OUT_OF_RANGE');
bad('sweep no duties', 'sweep', { duties: [], dwellMs: 100 }, 'OUT_OF_RANGE');
bad('sweep too many duties', 'sweep', { duties: new Array(65).fill(0.5), dwellMs: 100 }, 'OUT_OF_RANGE');
bad('sweep duty not a number', 'sweep', { duties: ['a'], dwellMs: 100 }, 'BAD_FIELD');
bad('sweep duty out of range', 'sweep', { duties: [0.5, -0.1], dwellMs: 100 }, 'OUT_OF_RANGE');
bad('capture too many samples', 'capture', { rate: 120, duty: 0.5, n: 1000 }, 'OUT_OF_RANGE');
bad('calWrite neither stroke nor stage', 'calWrite', { cal: { ...cal, stroke: undefined } }, 'BAD_FIELD');
bad('calWrite stroke table lengths differ', 'calWrite', { cal: { ...cal, stroke: { ...cal.stroke, gain: [2, 2] } } }, 'BAD_FIELD');
bad('calWrite zero Hall gain', 'calWrite', { cal: { ...cal, hall: { offset: 0.4, mmPerUnit: 0 } } }, 'OUT_OF_RANGE');
bad('calWrite technician missing', 'calWrite', { cal: { ...cal, meta: { ...cal.meta, technician: undefined } } }, 'BAD_FIELD');
bad('calWrite negative gain in table', 'calWrite', { cal: { ...cal, stroke: { ...cal.stroke, gain: [2, -1, 2] } } }, 'OUT_OF_RANGE');
bad('calWrite stroke table too long (zod skips the length-equality check)', 'calWrite', { cal: { ...cal, stroke: { ...cal.stroke, rates: new Array(17).fill(100) } } }, 'OUT_OF_RANGE');
bad('calWrite off-range value and unequal tables', 'calWrite', { cal: { ...cal, stroke: { ...cal.stroke, gain: [2, -1] } } }, 'BAD_FIELD');
bad('calWrite off-range value and no stroke or stage', 'calWrite', { cal: { ...cal, stroke: undefined, hall: { offset: 2, mmPerUnit: 5 } } }, 'BAD_FIELD');
bad('sweep too many duties, one not a number', 'sweep', { duties: [...new Array(64).fill(0.5), {}], dwellMs: 100 }, 'OUT_OF_RANGE');
bad('tlmSub every 5', 'tlmSub', { every: 5 }, 'OUT_OF_RANGE');
bad('tlmSub unknown field', 'tlmSub', { every: 10, fields: ['x'] }, 'BAD_FIELD');
bad('tlmSub no fields', 'tlmSub', { every: 10, fields: [] }, 'OUT_OF_RANGE');
bad('status with a key', 'status', { x: 1 }, 'BAD_FIELD');
bad('status body is an array', 'status', [], 'BAD_FIELD');
bad('status body is null', 'status', null, 'BAD_FIELD');
bad('hb with a key', 'hb', { n: 1 }, 'BAD_FIELD');

// ---- envelope ----
const env = (name: string, f: unknown, expect: string) => v.push({ name, frame: f, expect });
env('frame is an array', [], 'BAD_FRAME');
env('frame is a number', 42, 'BAD_FRAME');
env('frame is a string', 'hello', 'BAD_FRAME');
env('frame is null', null, 'BAD_FRAME');
env('seq 0', frame('status', {}, { s: 0 }), 'BAD_FRAME');
env('seq negative', frame('status', {}, { s: -1 }), 'BAD_FRAME');
env('seq not integer', frame('status', {}, { s: 1.5 }), 'BAD_FRAME');
env('seq too big', frame('status', {}, { s: 2147483648 }), 'BAD_FRAME');
env('seq missing', frame('status', {}, { s: undefined }), 'BAD_FRAME');
env('seq as string', frame('status', {}, { s: '7' }), 'BAD_FRAME');
env('extra envelope key', frame('status', {}, { x: 1 }), 'BAD_FRAME');
env('crc missing', frame('status', {}, { c: undefined }), 'BAD_FRAME');
env('crc as string', frame('status', {}, { c: '1' }), 'BAD_FRAME');
env('id not a string', frame('status', {}, { i: 5 }), 'BAD_FRAME');
env('body not a string', frame('status', {}, { b: {} }), 'BAD_FRAME');
env('version missing', frame('status', {}, { v: undefined }), 'BAD_FRAME');
env('crc wrong', frame('status', {}, { c: 12345 }), 'BAD_CRC');
env('crc of another body', frame('setConfig', { depth: 1.2 }, { c: crc32('{"depth":1.3}') }), 'BAD_CRC');
env('version 2', frame('status', {}, { v: 2 }), 'BAD_VERSION');
env('version 2 hello still accepted', frame('hello', { pv: 1, fp: FP }, { v: 2 }), 'ok');
env('unknown message', frame('fly', {}), 'UNKNOWN_MESSAGE');
env('body not JSON', frame('status', '{oops', { rawBody: true }), 'BAD_FRAME');
env('body empty string', frame('status', '', { rawBody: true }), 'BAD_FRAME');

// capture channels (appended: earlier vectors keep their seq numbers)
ok('capture current', 'capture', { rate: 50, duty: 0.35, n: 256, ch: 'current' }, 'capture');
ok('capture hall named', 'capture', { rate: 100, duty: 0.4, ch: 'hall' }, 'capture');
bad('capture unknown channel', 'capture', { rate: 100, duty: 0.4, ch: 'ntc' }, 'BAD_FIELD');
bad('capture channel not a string', 'capture', { rate: 100, duty: 0.4, ch: 1 }, 'BAD_FIELD');

writeFileSync(path.join(__dirname, 'requests.json'), JSON.stringify({ fp: FP, vectors: v }, null, 1) + '\n');
console.log(`${v.length} vectors`);
