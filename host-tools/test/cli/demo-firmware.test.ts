// The demo's firmware check (host-tools/src/demo/firmware-build.ts) in a scratch tree laid
// out like the repository, with a stand-in build script: missing or older bundles are
// rebuilt (and say why), fresh ones are left alone, a failing build is one clear line.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureFirmware, firmwareFreshness } from '@stipple/host-tools/demo';

let root: string;
const at = (p: string, text: string, mtimeS: number): void => {
  const f = path.join(root, p);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
  utimesSync(f, mtimeS, mtimeS);
};
// a stand-in for firmware/build.mjs: writes every bundle (now), or fails like a compile error
const BUNDLES = ['stipple.js', 'stipple-voice-coil.js', 'stipple-stepper.js', 'stipple-bench.js'];
const BUILD_OK = "import { writeFileSync, mkdirSync } from 'node:fs';\nmkdirSync(new URL('./dist/', import.meta.url), { recursive: true });\nfor (const f of " + JSON.stringify(BUNDLES) + ") writeFileSync(new URL('./dist/' + f, import.meta.url), 'built');\nconsole.log('firmware/dist/stipple.js 12 bytes');\n";
const BUILD_FAILS = "console.error('✘ [ERROR] Expected \";\" but found \"x\" [firmware/src/app/pen.ts:3:7]');\nprocess.exit(1);\n";

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'stipple-fw-'));
  at('firmware/src/app/pen.ts', 'x', 1000);
  at('protocol/src/schemas.ts', 'x', 1000);
  at('firmware/tools/espruino-compat.ts', 'x', 1000);
  at('firmware/build.mjs', BUILD_OK, 1000);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('missing bundles are built, and the reason is given', () => {
  expect(firmwareFreshness(root)).toEqual({ stale: true, reason: 'firmware/dist/stipple.js is missing' });
  const reasons: string[] = [];
  const b = ensureFirmware(root, (why) => reasons.push(why));
  expect(b).toMatchObject({ built: true, stale: true, bundle: path.join(root, 'firmware/dist/stipple.js') });
  expect(reasons).toEqual(['firmware/dist/stipple.js is missing']);
  expect(firmwareFreshness(root).stale).toBe(false);
});

test('bundles newer than every source are left alone; a source edited after them (firmware or protocol) makes them stale', () => {
  for (const f of BUNDLES) at(`firmware/dist/${f}`, 'old', 2000);
  expect(ensureFirmware(root)).toMatchObject({ built: false, stale: false, buildS: 0 });
  at('protocol/src/schemas.ts', 'y', 3000);
  expect(firmwareFreshness(root)).toEqual({ stale: true, reason: 'protocol/src/schemas.ts is newer than the firmware bundles' });
  expect(ensureFirmware(root).built).toBe(true);
  at('firmware/src/app/pen.ts', 'z', Date.now() / 1000 + 60);
  expect(firmwareFreshness(root).reason).toBe('firmware/src/app/pen.ts is newer than the firmware bundles');
});

test('a missing bundle of one drive is built too; the bundle of the drive asked for is the one returned', () => {
  for (const f of BUNDLES) at(`firmware/dist/${f}`, 'old', 2000);
  rmSync(path.join(root, 'firmware/dist/stipple-stepper.js'));
  expect(firmwareFreshness(root)).toEqual({ stale: true, reason: 'firmware/dist/stipple-stepper.js is missing' });
  expect(ensureFirmware(root, undefined, 'stepper')).toMatchObject({ built: true, bundle: path.join(root, 'firmware/dist/stipple-stepper.js') });
  expect(ensureFirmware(root, undefined, 'voiceCoil')).toMatchObject({ built: false, bundle: path.join(root, 'firmware/dist/stipple-voice-coil.js') });
});

test('a failed build is one line naming the error', () => {
  at('firmware/build.mjs', BUILD_FAILS, 1000);
  expect(() => ensureFirmware(root)).toThrow(/^the firmware build failed: ✘ \[ERROR\] Expected ";" but found "x" \[firmware\/src\/app\/pen.ts:3:7\]$/);
});
