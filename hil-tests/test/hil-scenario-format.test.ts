// The scenario format: JSON and YAML say the same thing, defaults fill in, and a bad file is
// refused with the file, the field and why (nothing half-loaded).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findScenarioFiles, loadScenarios, parseScenario, ScenarioFileError } from '@stipple/host-tools/hil/load-scenarios';
import { serialSkipReason } from '@stipple/host-tools/hil/target-support';
import { decodeLed } from '@stipple/host-tools/hil/led-decoder';

const YAML = `
name: example
duration: 3
timeline:
  - { at: 2, press: run }
  - { at: 0.5, host: setConfig, body: { depth: 1.0 }, label: set }
assert:
  - depth: { from: 0.5, targetMm: 1.0, rmsUm: 20 }
`;

test('YAML and JSON give the same scenario, defaults filled in, timeline sorted', () => {
  const y = parseScenario(YAML, 'a.yaml');
  const j = parseScenario(JSON.stringify({
    name: 'example', duration: 3,
    timeline: [{ at: 2, press: 'run' }, { at: 0.5, host: 'setConfig', body: { depth: 1.0 }, label: 'set' }],
    assert: [{ depth: { from: 0.5, targetMm: 1.0, rmsUm: 20 } }],
  }), 'a.json');
  expect(j).toEqual(y);
  expect(y.pen).toEqual({ seed: 1, board: 'PICO', variant: 'voiceCoil', spread: true, calibrate: true, corrupt: [] });
  expect(y.timeline.map((a) => a.at)).toEqual([0.5, 2]);
  expect(y.timeline[1]).toEqual({ at: 2, press: 'run', ms: 80 });
  expect(y.assert[0]).toEqual({ depth: { from: 0.5, to: 'end', targetMm: 1.0, settleStrokes: 5, rmsUm: 20, minStrokes: 10 } });
});

test.each([
  ['an unknown key', YAML.replace('press: run', 'press: run, colour: red'), /timeline\.0: Unrecognized key: "colour"/],
  ['a depth beyond the range', YAML.replace('targetMm: 1.0', 'targetMm: 2.5'), /assert\.0\.depth\.targetMm: Too big/],
  ['a button that does not exist', YAML.replace('press: run', 'press: turbo'), /timeline\.0\.press: Invalid option/],
  ['an action after the end', YAML.replace('at: 2,', 'at: 9,'), /timeline: timeline entry at 9 s is after the end \(3 s\)/],
  ['a fault check after a label nobody has', YAML.replace('rmsUm: 20 }', 'rmsUm: 20 }\n  - fault: { code: JAM, after: nobody, withinMs: 100 }'), /assert\.1\.fault\.after: fault\.after names "nobody"/],
  ['a fault code that does not exist', YAML.replace('rmsUm: 20 }', 'rmsUm: 20 }\n  - fault: { code: WOBBLE, after: set, withinMs: 100 }'), /assert\.1\.fault\.code/],
  ['no assertion', YAML.replace(/assert:[\s\S]*$/, 'assert: []\n'), /assert: Too small/],
  ['broken YAML', 'name: [', /not valid YAML/],
])('refuses %s with the file and the field', (_what, text, msg) => {
  expect(() => parseScenario(text, 'bad.yaml')).toThrow(ScenarioFileError);
  try {
    parseScenario(text, 'bad.yaml');
  } catch (e) {
    expect((e as Error).message).toMatch(/^bad\.yaml: /);
    expect((e as Error).message).toMatch(msg);
  }
});

test('directories are searched recursively in a stable order; duplicate names are refused', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hil-'));
  try {
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'b', 'two.yml'), YAML.replace('name: example', 'name: two'));
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ name: 'one', duration: 1, assert: [{ noFault: {} }] }));
    writeFileSync(path.join(dir, 'notes.md'), '# not a scenario');
    expect(findScenarioFiles([dir]).map((f) => path.relative(dir, f))).toEqual(['a.json', path.join('b', 'two.yml')]);
    expect(loadScenarios([dir]).map((l) => l.scenario.name)).toEqual(['one', 'two']);
    writeFileSync(path.join(dir, 'b', 'three.yaml'), YAML.replace('name: example', 'name: one'));
    expect(() => loadScenarios([dir])).toThrow(/scenario name "one" is also used by/);
    expect(() => loadScenarios([path.join(dir, 'notes.md')])).toThrow(/not a scenario file/);
    expect(() => loadScenarios([path.join(dir, 'missing')])).toThrow(/no such file or directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a serial pen runs only scenarios that need no simulator control or truth', () => {
  const hostOnly = parseScenario('name: h\nduration: 1\ntimeline: [{ at: 0, host: status }]\nassert: [{ protocol: {} }]\n', 'h.yaml');
  expect(serialSkipReason(hostOnly, false)).toBeUndefined();
  expect(serialSkipReason(parseScenario(YAML, 'a.yaml'), false)).toMatch(/controls the simulator \(press at 2 s\)/);
  const truth = parseScenario('name: t\nduration: 1\nassert: [{ rate: { targetPerS: 100 } }]\n', 't.yaml');
  expect(serialSkipReason(truth, false)).toMatch(/judges on the simulator's truth \(rate\)/);
  const service = parseScenario('name: s\nduration: 1\ntimeline: [{ at: 0, host: enterService }]\nassert: [{ protocol: {} }]\n', 's.yaml');
  expect(serialSkipReason(service, false)).toMatch(/--secret/);
  expect(serialSkipReason(service, true)).toBeUndefined();
});

test('the LED read back names the firmware\'s patterns', () => {
  const at = (cols: [number, number, number][]) => cols.map(([r, g, b], k) => ({ time: k * 0.125, r, g, b }));
  const fault5 = at(Array.from({ length: 16 }, (_, k) => (k < 10 && k % 2 === 0 ? [1, 0, 0] : [0, 0, 0])));
  expect(decodeLed(fault5, 2)).toMatchObject({ pattern: 'fault', blinks: 5 });
  const running = at(Array.from({ length: 16 }, (_, k) => (k % 8 < 4 ? [0, 1, 0] : [0, 1, 1])));
  expect(decodeLed(running, 2).pattern).toBe('running');
  const ready = at(Array.from({ length: 16 }, () => [0, 1, 0]));
  expect(decodeLed(ready, 2).pattern).toBe('ready');
  const lowBattery = at(Array.from({ length: 16 }, (_, k) => (k % 8 < 4 ? [1, 0, 0] : [0, 0, 0])));
  expect(decodeLed(lowBattery, 2).pattern).toBe('low-battery');
  const mixed = at(Array.from({ length: 16 }, (_, k) => (k < 8 ? [0, 1, 0] : [1, 0, 0])));
  expect(decodeLed(mixed, 2).pattern).toBe('unknown');
});
