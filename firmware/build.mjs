// Builds the firmware bundles that go onto a pen:
//   firmware/dist/stipple.js        the device build (voice coil or stepper, chosen at boot)
//   firmware/dist/stipple-voice-coil.js, stipple-stepper.js
//                                   the device build for one drive only: the other drive's code
//                                   is left out (room on small boards), and it refuses to boot
//                                   on a pen whose identity names the other drive
//   firmware/dist/stipple-bench.js  the bench build: on-board numerical actuator model, no motor
// esbuild refuses syntax Espruino lacks (`supported`), then the Espruino compatibility
// checker (firmware/tools/espruino-compat.ts) must find nothing in any bundle.
import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync, statSync, readFileSync } from 'node:fs';
import { pretokenise } from './tools/pretokenise.mjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mangleOptions } from './tools/reserved-props.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(here, 'dist');
const require = createRequire(import.meta.url);

/** Load a TypeScript module of this repo at build time (bundled to CommonJS in memory). */
export function loadTs(file) {
  const out = buildSync({
    entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', write: false,
    tsconfig: path.join(root, 'tsconfig.json'), logLevel: 'silent',
    external: ['zod', 'acorn', 'acorn-walk'],
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
  return mod.exports;
}

/** Syntax that Espruino 2v25+ rejects: esbuild must fail rather than ship it. */
const UNSUPPORTED = {
  'default-argument': false, 'destructuring': false, 'rest-argument': false, 'array-spread': false,
  'object-rest-spread': false, 'async-await': false, 'async-generator': false, 'generator': false,
  'for-await': false, 'bigint': false, 'class-static-blocks': false, 'class-private-field': false,
  'class-private-method': false, 'class-private-accessor': false, 'class-private-static-field': false,
  'class-private-static-method': false, 'class-private-static-accessor': false, 'class-private-brand-check': false,
  'new-target': false, 'import-meta': false, 'dynamic-import': false, 'top-level-await': false,
  'nested-rest-binding': false, 'regexp-named-capture-groups': false, 'regexp-lookbehind-assertions': false,
};

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function schemaFingerprint() {
  try {
    return loadTs(path.join(root, 'protocol/src/fingerprint.ts')).schemaFingerprint();
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND') return 'none';
    if (String(e && e.message).includes('Could not resolve')) return 'none';
    throw e;
  }
}

/** The protocol's JSON Schema export: its property keys are wire names the build must keep. */
function wireSchema() {
  const { z } = require('zod');
  return z.toJSONSchema(loadTs(path.join(root, 'protocol/src/schemas.ts')).allMessagesSchema(), { unrepresentable: 'any' });
}

export function buildFirmware({ quiet = false } = {}) {
  mkdirSync(dist, { recursive: true });
  const fingerprint = schemaFingerprint();
  const { checkEspruinoCompat, formatFindings } = loadTs(path.join(here, 'tools/espruino-compat.ts'));
  const targets = [
    { profile: 'device', drive: '', out: 'stipple.js' },
    { profile: 'device', drive: 'voiceCoil', out: 'stipple-voice-coil.js' },
    { profile: 'device', drive: 'stepper', out: 'stipple-stepper.js' },
    { profile: 'bench', drive: '', out: 'stipple-bench.js' },
  ];
  const sizes = [];
  const mangle = mangleOptions(here, root, require, wireSchema());
  for (const t of targets) {
    const result = buildSync({
      entryPoints: [path.join(here, 'src/main.ts')],
      // cjs + node keeps require("Storage") a plain call (Espruino's own require), where iife
      // would add a shim that uses Proxy; the banner/footer make it an IIFE all the same.
      bundle: true, format: 'cjs', target: 'es2017', platform: 'node',
      banner: { js: '(function(){' }, footer: { js: '})();' },
      supported: UNSUPPORTED, minify: true, legalComments: 'none', charset: 'ascii',
      tsconfig: path.join(here, 'tsconfig.json'), write: false, logLevel: 'silent',
      external: ['Storage', 'crypto'],
      ...mangle,
      define: {
        __STIPPLE_PROFILE__: JSON.stringify(t.profile),
        // firmware/src/app/built-drive.ts; a variant bundle says its drive in its version
        // (`0.1.0+stepper`), so hello and the flasher can tell which bundle a pen runs
        __STIPPLE_DRIVE__: JSON.stringify(t.drive),
        __STIPPLE_FW_VERSION__: JSON.stringify(t.drive ? `${pkg.version}+${t.drive}` : pkg.version),
        __STIPPLE_SCHEMA_FP__: JSON.stringify(fingerprint),
      },
    });
    // a second minifier pass: uglify's compressor finds what esbuild leaves (a few KB on a
    // 48 KB Storage); names are mangled inside the IIFE only. No inlining: inlined single-use
    // functions (0.3 KB less) crash Espruino 2v29 at boot (ASSERT(jsvHasChildren(target)))
    const ugly = require('uglify-js').minify(result.outputFiles[0].text, {
      compress: { passes: 2, inline: false, reduce_funcs: false }, mangle: true, output: { ascii_only: true },
    });
    if (ugly.error) throw ugly.error;
    if (process.env.STIPPLE_DUMP_UGLY) writeFileSync(process.env.STIPPLE_DUMP_UGLY, ugly.code);
    const code = ugly.code;
    const findings = checkEspruinoCompat(code);
    if (findings.length) {
      throw new Error(`firmware/dist/${t.out} uses what Espruino lacks:\n${formatFindings(t.out, findings)}`);
    }
    // Storage holds it pretokenised (reserved words and operators as Espruino's token bytes):
    // a sixth smaller, what lets it fit the MDBT42Q (firmware/tools/pretokenise.mjs)
    writeFileSync(path.join(dist, t.out), Buffer.from(pretokenise(code), 'latin1'));
    sizes.push([`firmware/dist/${t.out}`, statSync(path.join(dist, t.out)).size]);
  }
  if (!quiet) {
    for (const [file, bytes] of sizes) console.log(`${file.padEnd(38)} ${String(bytes).padStart(7)} bytes`);
    console.log(`schema fingerprint ${fingerprint}`);
  }
  return sizes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    buildFirmware();
  } catch (e) {
    console.error(e.errors ? e.message : e.message || e);
    process.exit(1);
  }
}
