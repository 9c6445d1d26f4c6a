// Bundles the stipple CLI (and its worker entry points) for Node with esbuild.
// npm packages stay external; the workspace packages (@stipple/*) are bundled in.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsolePage } from './web/build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
// flat output: dist/main.js (what bin/stipple.js runs) and dist/<worker>.js beside it
const entries = [{ in: path.join(here, 'src/cli/main.ts'), out: 'main' }];
const workers = path.join(here, 'src/workers');
if (existsSync(workers)) for (const f of readdirSync(workers)) if (f.endsWith('.ts')) entries.push({ in: path.join(workers, f), out: f.slice(0, -3) });

await build({
  entryPoints: entries,
  outdir: path.join(here, 'dist'),
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true,
  packages: 'external', tsconfig: path.join(root, 'tsconfig.json'), logLevel: 'warning',
});

// the web console page (stipple console), into dist/console
await buildConsolePage();
