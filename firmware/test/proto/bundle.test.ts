// The firmware side of the protocol bundles for Espruino: no zod, no syntax or globals
// Espruino lacks (firmware/tools/espruino-compat.ts), and it stays small.
import path from 'node:path';
import { buildSync } from 'esbuild';
import { checkEspruinoCompat, formatFindings } from '../../tools/espruino-compat';

const root = path.resolve(__dirname, '../../..');

test('firmware/src/proto bundles for Espruino without zod', () => {
  const r = buildSync({
    // used as the firmware's main.ts would: named imports, no re-export wrapper
    stdin: {
      contents: "import { Dispatcher, checkBody, sha256, hmacSha256, toHex, requestFlags, protoError } from './index';\n" +
        'declare const E: any;\nE.proto = [Dispatcher, checkBody, sha256, hmacSha256, toHex, requestFlags, protoError];\n',
      resolveDir: path.join(root, 'firmware/src/proto'), loader: 'ts', sourcefile: 'entry.ts',
    },
    bundle: true, format: 'iife',
    target: 'es2017', platform: 'neutral', minify: true, write: false, charset: 'ascii', logLevel: 'silent',
    tsconfig: path.join(root, 'firmware/tsconfig.json'),
    supported: { 'default-argument': false, destructuring: false, 'rest-argument': false, 'array-spread': false, 'object-rest-spread': false, 'async-await': false, generator: false },
  });
  const code = r.outputFiles[0].text;
  expect(code).not.toMatch(/zod|ZodType|toJSONSchema/);
  const findings = checkEspruinoCompat(code);
  expect(formatFindings('proto bundle', findings)).toBe(formatFindings('proto bundle', []));
  expect(code.length).toBeLessThan(16000);
});
