// Bundles the stipple CLI (and its worker entry points) for Node with esbuild.
// npm packages stay external; the workspace packages (@stipple/*) are bundled in.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const entries = [path.join(here, 'src/cli/main.ts')];
const workers = path.join(here, 'src/workers');
if (existsSync(workers)) for (const f of readdirSync(workers)) if (f.endsWith('.ts')) entries.push(path.join(workers, f));

await build({
  entryPoints: entries,
  outdir: path.join(here, 'dist'),
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true,
  packages: 'external', tsconfig: path.join(root, 'tsconfig.json'), logLevel: 'warning',
});
