// The page's files as `npm run build` leaves them (host-tools/web/build.mjs writes
// host-tools/dist/console/), and how they are served: a fixed list, never a path from
// the request, with a content security policy that lets the page load nothing from
// anywhere else (it works offline, and a stray CDN link would fail loudly).
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { FIRMWARE_BUNDLE } from '../sim/virtual-pen';

/** host-tools/dist/console in this checkout (found from the firmware bundle's place, as the CLI finds firmware/dist). */
export const PAGE_DIR = path.join(path.dirname(FIRMWARE_BUNDLE), '..', '..', 'host-tools', 'dist', 'console');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.js.map': { file: 'console.js.map', type: 'application/json' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

// inline styles: uPlot and @espruino-tools' connect dialog set them; the certificate (srcdoc) has a <style>
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'";

/** Refuse to start without the page: a one-line reason. */
export function checkPageDir(dir: string): void {
  for (const f of ['index.html', 'console.js', 'console.css']) {
    if (!existsSync(path.join(dir, f))) throw new Error(`${path.relative(process.cwd(), path.join(dir, f)) || f} is missing: run \`npm run build\``);
  }
}

/** Serve `urlPath` from `dir`; false if it is not one of the page's files. */
export function servePageFile(dir: string, urlPath: string, res: ServerResponse): boolean {
  const f = FILES[urlPath];
  if (!f) return false;
  let body: Buffer;
  try {
    body = readFileSync(path.join(dir, f.file));
  } catch {
    return false;
  }
  res.writeHead(200, {
    'Content-Type': f.type, 'Content-Length': body.length, 'Cache-Control': 'no-store',
    'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
  return true;
}
