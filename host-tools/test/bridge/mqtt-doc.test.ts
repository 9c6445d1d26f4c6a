// docs/mqtt.md: its generated parts (topic table, payload field tables and JSON Schemas)
// match the schemas, and the captured mosquitto_sub sample in it still validates.
import { readFileSync } from 'node:fs';
import { TOPIC_TABLE, TopicScheme } from '@stipple/protocol';
import { MQTT_DOC_PATH, updateMqttDoc } from '@stipple/protocol/mqtt/generate-mqtt-doc';

const doc = readFileSync(MQTT_DOC_PATH, 'utf8');

test('docs/mqtt.md is up to date (regenerate: npm run docs)', () => {
  expect(updateMqttDoc(doc) === doc).toBe(true);
});

test('the sample in docs/mqtt.md validates against the schemas and shows every pen topic of a bridge without --raw-strokes', () => {
  const t = new TopicScheme();
  const sample = doc.split('```')[3]!; // the block after the first two (the commands, then the sample)
  const lines = sample.split('\n').filter((l) => l.startsWith('stipple/'));
  const seen = new Set<string>();
  for (const l of lines) {
    const k = l.indexOf(' ');
    const topic = l.slice(0, k);
    const payload = JSON.parse(l.slice(k + 1));
    const pen = t.parsePen(topic);
    const key = pen ? (pen.leaf === 'telemetry/strokes' ? 'strokes' : pen.leaf) : 'bridgeStatus';
    const spec = TOPIC_TABLE[key as keyof typeof TOPIC_TABLE];
    expect(spec.schema.safeParse(payload).success).toBe(true);
    seen.add(key);
  }
  expect([...seen].sort()).toEqual(['bridgeStatus', 'calibration', 'counters', 'faults', 'info', 'status', 'telemetry']);
});

test('the hand-written parts name every command rule and the scale-out and security topics', () => {
  for (const s of ['## Scale-out', 'shared subscriptions', 'clustered broker', 'one bridge per clinic gateway', '## Security', 'STIPPLE_MQTT_PASSWORD', '--credentials-file', 'mqtts://', 'MQTT 3.1.1', 'replyTo', 'remote start is never possible', 'last will', 'On-disk queue']) {
    expect(doc.toLowerCase()).toContain(s.toLowerCase());
  }
});
