// docs/hil.md: its scenario reference is what the zod schema generates (regenerate with
// `npm run docs`), and the tutorial's example scenario is a valid scenario.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseScenario } from '@stipple/host-tools/hil/load-scenarios';
import { withReference } from '@stipple/host-tools/hil/schema-doc';

const DOC = path.join(__dirname, '../../docs/hil.md');

test('the scenario reference in docs/hil.md is up to date with the schema (npm run docs)', () => {
  const doc = readFileSync(DOC, 'utf8');
  expect(doc).toBe(withReference(doc));
  // every timeline action and assertion kind has its own section
  for (const k of ['press', 'handset', 'pedal', 'cartridge', 'set', 'inject', 'remove', 'host', 'link', 'power', 'powerLoss']) expect(doc).toContain(`#### \`${k}\``);
  for (const k of ['depth', 'rate', 'hardLimit', 'needle', 'strokes', 'fault', 'noFault', 'state', 'led', 'counters', 'calibration', 'faultLog', 'protocol', 'memory']) expect(doc).toContain(`#### \`${k}\``);
});

test('the tutorial\'s example scenario validates', () => {
  const doc = readFileSync(DOC, 'utf8');
  const m = /## Tutorial[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc);
  expect(m).not.toBeNull();
  const s = parseScenario(m![1]!, 'tutorial.yaml');
  expect(s.name).toBe('scar at 1.2 mm then the cartridge is pulled');
  expect(s.timeline.map((a) => a.at)).toEqual([0, 0.2, 1.7, 3.2]);
  expect(s.assert).toHaveLength(6);
});
