// Topic scheme v1: serials and bridge ids as single topic levels, prefixes, command
// topics, and the reply topics a request may (not) name.
import { decodeTopicLevel, encodeTopicLevel, prefixProblem, TopicScheme, TOPIC_TABLE } from '@stipple/protocol';

test('serials become one topic level, reversibly, and never collide with _bridge', () => {
  for (const s of ['SIM-V-000001', 'a/b', 'x+y#z', '_bridge', 'sp ace', 'Ünï', '50%']) {
    const l = encodeTopicLevel(s);
    expect(l).toMatch(/^[A-Za-z0-9.%-]+$/);
    expect(decodeTopicLevel(l)).toBe(s);
  }
  expect(encodeTopicLevel('SIM-V-000001')).toBe('SIM-V-000001');
  expect(encodeTopicLevel('_bridge')).not.toBe('_bridge');
});

test('topics, command parsing and reply topic rules', () => {
  const t = new TopicScheme('acme/clinic-3/stipple');
  expect(t.pen('A/1', 'status')).toBe('acme/clinic-3/stipple/v1/A%2F1/status');
  expect(t.bridgeStatus('gw-1')).toBe('acme/clinic-3/stipple/v1/_bridge/gw-1/status');
  expect(t.parseCommand(t.command('A/1', 'info'))).toEqual({ serial: 'A/1', name: 'info' });
  expect(t.parseCommand('acme/clinic-3/stipple/v1/A/cmd/info/reply')).toBeUndefined();
  expect(t.parseCommand('acme/clinic-3/stipple/v1/_bridge/cmd/x')).toBeUndefined();
  expect(t.parsePen('acme/clinic-3/stipple/v1/A/telemetry/strokes')).toEqual({ serial: 'A', leaf: 'telemetry/strokes' });
  expect(t.replyTopicProblem('my/replies/1')).toBe('');
  expect(t.replyTopicProblem(t.defaultReply('A', 'info'))).toBe('');
  expect(t.replyTopicProblem(t.pen('A', 'faults'))).toMatch(/must be …\/cmd\/<name>\/reply/);
  expect(t.replyTopicProblem(t.bridgeStatus('gw-1'))).toMatch(/must be/);
  expect(t.replyTopicProblem('my/+/x')).toMatch(/wildcards/);
  expect(t.replyTopicProblem('$SYS/x')).toMatch(/\$/);
  for (const bad of ['', 'a//b', '/a', 'a/', 'a/#', '$share/x']) expect(prefixProblem(bad)).not.toBe('');
  expect(() => new TopicScheme('a/+')).toThrow(RangeError);
});

test('the topic table: QoS 1 for what must not be lost, retained state, QoS 0 telemetry dropped while away', () => {
  expect(TOPIC_TABLE.faults).toMatchObject({ qos: 1, retain: false, offline: 'queued' });
  expect(TOPIC_TABLE.status).toMatchObject({ qos: 1, retain: true, offline: 'queued' });
  for (const k of ['info', 'counters', 'calibration'] as const) expect(TOPIC_TABLE[k]).toMatchObject({ qos: 1, retain: true, offline: 'republished' });
  for (const k of ['telemetry', 'strokes'] as const) expect(TOPIC_TABLE[k]).toMatchObject({ qos: 0, retain: false, offline: 'dropped' });
});
