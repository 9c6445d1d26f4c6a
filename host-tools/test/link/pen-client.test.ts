// PenClient end to end against the firmware dispatcher (LoopbackPen).
import { createHmac } from 'node:crypto';
import { HEARTBEAT_TIMEOUT_MS, schemaFingerprint } from '@stipple/protocol';
import { PenClient, PenError } from '@stipple/host-tools/link';
import { LoopbackPen } from './loopback';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e) => (e instanceof PenError ? e.code : `not a PenError: ${e}`));

async function setup(o: { fp?: string; bench?: boolean } = {}) {
  const link = new LoopbackPen(o.fp, o.bench ?? true);
  const client = new PenClient(link, { timeoutMs: 100, retries: 2, heartbeatMs: 20 });
  return { link, client };
}

test('connect: hello, fingerprint, typed replies', async () => {
  const { client } = await setup();
  const info = await client.connect();
  expect(info.fp).toBe(schemaFingerprint());
  expect(info.serial).toBe('SP-000123');
  expect((await client.getConfig()).rate).toBe(120);
  expect((await client.setConfig({ depth: 1.1 })).depth).toBe(1.1);
  expect((await client.getCounters()).strokes).toBe(10);
  await client.close();
});

test('a pen built from other schemas is refused, naming both fingerprints', async () => {
  const { client } = await setup({ fp: 'aaaaaaaaaaaaaaaa' });
  const e = await client.connect().catch((x) => x);
  expect(e).toBeInstanceOf(PenError);
  expect(e.code).toBe('SCHEMA_MISMATCH');
  expect(e.message).toContain('aaaaaaaaaaaaaaaa');
  expect(e.message).toContain(schemaFingerprint());
  await client.close();
});

test('device errors, validation before sending is the pen\'s job: typed error with the pen\'s code', async () => {
  const { client } = await setup({ bench: false });
  await client.connect();
  const e = await client.hold(0.5).catch((x) => x);
  expect([e.code, e.fromPen, e.request]).toEqual(['NEEDS_SERVICE', true, 'hold']);
  expect(await codeOf(client.setConfig({ depth: 5 }))).toBe('OUT_OF_RANGE');
  await client.close();
});

test('SERVICE challenge-response through the client', async () => {
  const { client, link } = await setup({ bench: false });
  await client.connect();
  expect(await codeOf(client.enterService('wrong'))).toBe('AUTH_FAILED');
  await client.enterService(link.pen.secret);
  expect(link.pen.service).toBe(true);
  expect((await client.hold(0.4, 50)).hall).toBe(31000);
  await client.leaveService();
  expect(link.pen.service).toBe(false);
  expect(createHmac).toBeDefined();
  await client.close();
});

test('idempotent requests are retried after a lost packet; others time out', async () => {
  const { client, link } = await setup();
  await client.connect();
  let lose = 1;
  link.drop = (f) => f.i === 'getFaults' && lose-- > 0;
  expect((await client.getFaults()).faults).toHaveLength(1);
  expect(link.frames.filter((f) => f.i === 'getFaults')).toHaveLength(1);
  link.drop = (f) => f.i === 'deletePreset';
  expect(await codeOf(client.deletePreset(1))).toBe('TIMEOUT');
  await client.close();
});

test('a NAKed packet is resent (it never ran); NAK every time fails with NAK', async () => {
  const { client, link } = await setup();
  await client.connect();
  let n = 1;
  link.nak = (f) => f.i === 'deletePreset' && n-- > 0;
  await client.deletePreset(1);
  expect(link.pen.calls.filter((c) => c.name === 'deletePreset')).toHaveLength(1);
  link.nak = (f) => f.i === 'clearFaults';
  expect(await codeOf(client.clearFaults())).toBe('NAK');
  await client.close();
});

test('corrupt and schema-invalid replies; REPL chatter is passed on', async () => {
  const { client, link } = await setup();
  await client.connect();
  const text: string[] = [];
  const problems: PenError[] = [];
  client.onText((t) => text.push(t));
  client.onProblem((e) => problems.push(e));
  link.chatter = '\r\n>';
  link.pen.getCounters = (() => ({ strokes: -1 })) as never;
  expect(await codeOf(client.getCounters())).toBe('INVALID_REPLY');
  link.mangle = (s) => s.replace('"c":', '"c":1');
  expect(await codeOf(client.status())).toBe('TIMEOUT'); // every try corrupt: CRC fails, reported as a problem
  expect(problems.length).toBeGreaterThanOrEqual(3);
  expect(problems[0].code).toBe('INVALID_REPLY');
  expect(text.join('')).toContain('>');
  await client.close();
});

test('telemetry and events reach the subscribers; heartbeats while running', async () => {
  const { client, link } = await setup();
  await client.connect();
  const recs: unknown[] = [];
  const events: string[] = [];
  client.onTelemetry((r) => recs.push(r));
  client.onEvent((e) => events.push(e.id));
  expect(await client.subscribeTelemetry({ every: 10, fields: ['t', 'depthUm'], perStroke: true })).toEqual({ mask: 5, every: 10, perStroke: true });
  link.dispatcher.telemetry([100, 1000, 990, 120, 500, 800, 300, 3, 0, 0, 10, 10], [980, 1000]);
  await client.startRun({ depth: 1, rate: 100, maxS: 10 });
  expect(client.heartbeating).toBe(true);
  await sleep(HEARTBEAT_TIMEOUT_MS);
  const beats = link.pen.calls.filter((c) => c.name === 'heartbeat').length;
  expect(beats).toBeGreaterThanOrEqual(5);
  link.dispatcher.event('fault', { code: 3, t: 1, ctx: 'I=3A' });
  await sleep(30);
  expect(client.heartbeating).toBe(false); // a fault ends the run
  await client.stopRun();
  expect(recs).toEqual([{ t: 100, depthUm: 990, depths: [980, 1000] }]);
  expect(events).toEqual(['tlm', 'fault']);
  await client.close();
});

test('close fails pending requests with LINK_CLOSED', async () => {
  const { client, link } = await setup();
  await client.connect();
  link.drop = () => true;
  const p = codeOf(client.status());
  await client.close();
  expect(await p).toBe('LINK_CLOSED');
  expect(await codeOf(client.status())).toBe('LINK_CLOSED');
});

test('file upload: FILE_SEND + DATA, each after an ACK', async () => {
  const { client, link } = await setup();
  const data = new Uint8Array(3000).map((_, i) => (i * 7) & 255);
  await client.uploadFile('.bootcde', data);
  expect(link.files['.bootcde']).toEqual(Array.from(data));
  await client.close();
});
