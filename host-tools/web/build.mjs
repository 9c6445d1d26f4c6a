// Bundles the web console page (docs/console.md) with esbuild into host-tools/dist/console:
// index.html, console.js (the page, its libraries and the parts of the host library it
// shares with the CLI: protocol, PenClient, calibration), console.css. Everything the page
// needs is in these files: it works offline. `node host-tools/web/build.mjs` prints sizes;
// host-tools/build.mjs (npm run build) calls buildConsolePage().
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CONSOLE_PAGE_DIR = path.resolve(here, '..', 'dist', 'console');

// zod bundles the messages of ~45 languages; the page shows English ones only
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (a) => (/[\\/]zod[\\/]/.test(a.importer) ? { path: path.join(path.dirname(a.importer), a.path), namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: "export { default as en } from './en.js';", loader: 'js', resolveDir: path.dirname(a.path),
    }));
  },
};

/** The page in `outdir` is newer than everything it was built from (inputs.json, written by the last build). */
function upToDate(outdir) {
  try {
    const built = statSync(path.join(outdir, 'console.js')).mtimeMs;
    const inputs = JSON.parse(readFileSync(path.join(outdir, 'inputs.json'), 'utf8'));
    return [...inputs, path.join(here, 'index.html'), fileURLToPath(import.meta.url)].every((f) => statSync(f).mtimeMs <= built);
  } catch {
    return false; // never built, or a source is gone
  }
}

/** Build the page into `outdir` unless it is up to date (or `force`); returns the files and their sizes in bytes. */
export async function buildConsolePage({ outdir = CONSOLE_PAGE_DIR, minify = true, force = false } = {}) {
  if (force || !upToDate(outdir)) {
    const { version } = JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8'));
    mkdirSync(outdir, { recursive: true });
    const r = await build({
      entryPoints: { console: path.join(here, 'src', 'main.ts') },
      outdir, bundle: true, platform: 'browser', format: 'iife', target: ['chrome110'], minify, sourcemap: 'linked', metafile: true,
      tsconfig: path.join(here, 'tsconfig.json'), logLevel: 'warning',
      // the browser's stand-in for the two node:crypto calls on the shared path (schema fingerprint, SERVICE HMAC)
      alias: { 'node:crypto': path.join(here, 'src', 'node-crypto-shim.ts') },
      define: { 'process.env.NODE_ENV': '"production"', STIPPLE_VERSION: JSON.stringify(version) },
      plugins: [zodEnglishOnly],
    });
    copyFileSync(path.join(here, 'index.html'), path.join(outdir, 'index.html'));
    // what it was made from, for upToDate (files only; a plugin's virtual module stands for its real path)
    const inputs = Object.keys(r.metafile.inputs).map((f) => path.resolve(f.replace(/^[a-z-]+:/, '')));
    inputs.push(path.join(here, '..', 'package.json'));
    writeFileSync(path.join(outdir, 'inputs.json'), JSON.stringify(inputs));
  }
  const files = {};
  for (const f of ['index.html', 'console.js', 'console.css']) files[f] = statSync(path.join(outdir, f)).size;
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = await buildConsolePage({ force: process.argv.includes('--force') });
  for (const [f, n] of Object.entries(files)) console.log(`${path.relative(process.cwd(), path.join(CONSOLE_PAGE_DIR, f))}  ${(n / 1024).toFixed(1)} KB`);
}
