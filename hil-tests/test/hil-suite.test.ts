// The HIL suite: every scenario under hil-tests/scenarios/ through the same runner library
// `stipple hil` uses, each on a fresh virtual pen running the real firmware bundle, one jest
// test per scenario. A failure shows the scenario's failed checks (time, expected, seen).
// Scenarios that fail because of the firmware live in hil-tests/pending-firmware/ (see its
// README); they and the 8-hour soak (npm run soak) are only validated here.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadScenarios, parseScenario } from '@stipple/host-tools/hil/load-scenarios';
import { runScenario } from '@stipple/host-tools/hil/run-scenario';

const HIL = path.join(__dirname, '..');
const suite = loadScenarios([path.join(HIL, 'scenarios')]);

test('the suite covers what issue 7 asks for', () => {
  const tagged = (t: string): number => suite.filter((l) => l.scenario.tags.includes(t)).length;
  expect(tagged('accuracy')).toBeGreaterThanOrEqual(15);
  expect(tagged('fault')).toBeGreaterThanOrEqual(12);
  expect(tagged('session')).toBeGreaterThanOrEqual(2);
  expect(tagged('power-loss')).toBeGreaterThanOrEqual(4);
  expect(tagged('link')).toBeGreaterThanOrEqual(2);
  expect(tagged('soak')).toBe(1);
  expect(suite.some((l) => l.scenario.pen.variant === 'stepper')).toBe(true);
});

test('pending and soak scenarios are valid scenario files', () => {
  const other = loadScenarios([path.join(HIL, 'pending-firmware'), path.join(HIL, 'soak')]);
  // every file there (counted apart from the loader), however many wait for the firmware
  const yamlUnder = (d: string): number => readdirSync(d, { withFileTypes: true })
    .reduce((n, e) => n + (e.isDirectory() ? yamlUnder(path.join(d, e.name)) : e.name.endsWith('.yaml') ? 1 : 0), 0);
  expect(other.length).toBe(yamlUnder(path.join(HIL, 'pending-firmware')) + yamlUnder(path.join(HIL, 'soak')));
  expect(other.length).toBeGreaterThan(20);
  expect(other.find((l) => l.scenario.name.startsWith('soak 8 h'))!.scenario.duration).toBeGreaterThanOrEqual(28800);
});

test('an armed power loss that never happens fails its scenario: the write was shorter than afterBytes, or the power went off for another reason', async () => {
  const yaml = (afterBytes: number, extra = ''): string => `
name: power loss after ${afterBytes} bytes of a calibration write
duration: 2.5
pen: { seed: 12 }
timeline:
  - { at: 0.2, host: enterService }
  - { at: 0.5, powerLoss: { afterBytes: ${afterBytes}, restoreAfterS: 0.5 } }
  - { at: 0.5, host: calWriteSame, expect: any }${extra}
assert:
  - calibration: { at: 2.2, status: ok, sameAsStart: true }
`;
  const run = (n: number, extra = '') => runScenario({ file: 'power-loss.yaml', scenario: parseScenario(yaml(n, extra), 'power-loss.yaml') }, { target: { kind: 'sim' } });
  const past = await run(60000);
  expect(past.status).toBe('fail');
  expect(past.failures.join('\n')).toMatch(/power loss after 60000 flash bytes → the power dies.*it never happened/);
  // a power cycle of the timeline's own is not the armed loss
  const cycled = await run(60000, '\n  - { at: 1.2, power: cycle }');
  expect(cycled.failures.join('\n')).toMatch(/power loss after 60000 flash bytes → the power dies.*it never happened/);
  const within = await run(100);
  expect(within.failures).toEqual([]);
  expect(within.outcomes.find((o) => o.name.startsWith('power loss after 100'))).toMatchObject({ pass: true, seen: expect.stringMatching(/the power died/) });
}, 60000);

describe('HIL scenarios on the simulator', () => {
  test.each(suite.map((l) => [path.relative(HIL, l.file), l] as const))('%s', async (_file, l) => {
    const r = await runScenario(l, { target: { kind: 'sim' } });
    if (r.status !== 'pass') throw new Error(`${r.status}: ${r.reason ?? ''}\n${r.failures.join('\n')}`);
    expect(r.outcomes.filter((o) => !o.skipped && o.pass).length).toBeGreaterThan(0);
  }, 60000);
});
