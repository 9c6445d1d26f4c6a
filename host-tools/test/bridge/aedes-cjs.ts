// Aedes 1 is an ES module and jest (on Node 20) cannot load one from CommonJS tests, so the
// tests load the same Aedes bundled to CommonJS by esbuild (built once per version into
// the temp directory). Use in a test file as:
//   jest.mock('aedes', () => require('./aedes-cjs').loadAedesCjs());
import { existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

export function loadAedesCjs(): unknown {
  const entry = require.resolve('aedes');
  const version = (require(path.join(path.dirname(entry), 'package.json')) as { version: string }).version;
  const out = path.join(tmpdir(), `stipple-aedes-${version}.cjs`);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    buildSync({ entryPoints: [entry], outfile: tmp, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
    renameSync(tmp, out); // atomic: parallel jest workers never load half a file
  }
  return require(out);
}
