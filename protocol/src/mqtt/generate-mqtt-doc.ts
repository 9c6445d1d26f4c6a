// Regenerates the generated parts of docs/mqtt.md from TOPIC_TABLE and the zod schemas:
// the topic table (QoS, retain, what happens while the broker is away) and, per topic,
// a field table and the JSON Schema (zod 4's toJSONSchema). The rest of the file is
// written by hand. `npm run docs`; host-tools/test/bridge/mqtt-doc.test.ts fails when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fieldTable } from '../docs/generate-protocol-doc';
import { BRIDGE_COMMANDS, COMMAND_ERROR_CODES } from './command';
import { MQTT_TOPIC_VERSION } from './topics';
import { TOPIC_TABLE } from './topic-table';

export const MQTT_DOC_PATH = path.resolve(__dirname, '../../../docs/mqtt.md');

const OFFLINE: Record<string, string> = {
  queued: 'kept in the on-disk queue, sent in order on return',
  republished: 'not queued: published afresh on reconnect',
  dropped: 'dropped and counted (`telemetryDropped`, `dropped`)',
  'not sent': '—',
};

function topicTable(): string {
  const rows = Object.values(TOPIC_TABLE).map((t) => {
    const pattern = t.pattern.startsWith('response') ? t.pattern.replace('<serial>', `<prefix>/${MQTT_TOPIC_VERSION}/<serial>`) : `<prefix>/${MQTT_TOPIC_VERSION}/${t.pattern}`;
    return `| \`${pattern}\` | ${t.direction === 'out' ? 'bridge →' : '→ bridge'} | ${t.qos} | ${t.retain ? 'yes' : 'no'} | ${OFFLINE[t.offline]} | ${t.doc} |`;
  });
  return ['| topic | direction | QoS | retained | while the broker is away | what |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function schemas(): string {
  const out: string[] = [];
  for (const [key, t] of Object.entries(TOPIC_TABLE)) {
    out.push(`### ${key}: \`${t.pattern}\``, '');
    out.push(fieldTable(t.schema));
    if (key === 'command') out.push(`Commands (\`<name>\`): ${BRIDGE_COMMANDS.map((c) => `\`${c}\``).join(', ')}; anything else is refused.`, '');
    if (key === 'reply') out.push(`\`result\` depends on the command (\`info\`: \`{info, status}\` as the pen's hello and status replies; \`counters\`, \`faultLog\`: the pen's replies; \`publishCalibration\`: the calibration summary). Error codes: ${COMMAND_ERROR_CODES.map((c) => `\`${c}\``).join(', ')}.`, '');
    // one line: the field table above is for reading, this is for tools
    out.push('<details><summary>JSON Schema</summary>', '', '```json', JSON.stringify(z.toJSONSchema(t.schema, { unrepresentable: 'any' })), '```', '', '</details>', '');
  }
  return out.join('\n');
}

const BLOCKS: Record<string, () => string> = { 'topic-table': topicTable, 'payload-schemas': schemas };

/** `doc` with every generated block replaced by what the schemas say now. */
export function updateMqttDoc(doc: string): string {
  let out = doc;
  for (const [name, make] of Object.entries(BLOCKS)) {
    const begin = `<!-- BEGIN GENERATED ${name} (npm run docs) -->`;
    const end = `<!-- END GENERATED ${name} -->`;
    const a = out.indexOf(begin);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs/mqtt.md lacks the markers of the generated block "${name}"`);
    out = `${out.slice(0, a + begin.length)}\n${make()}\n${out.slice(b)}`;
  }
  return out;
}

if (require.main === module) {
  writeFileSync(MQTT_DOC_PATH, updateMqttDoc(readFileSync(MQTT_DOC_PATH, 'utf8')));
  console.log(`wrote ${MQTT_DOC_PATH}`);
}
