// The demo runs the firmware bundle a pen would receive, so it must be the bundle of the
// sources in this tree: firmware/dist/stipple.js is rebuilt (`node firmware/build.mjs`,
// which also makes the bundles of one drive and the bench build) when it is missing or
// older than anything it is built from — the firmware and protocol sources, the build
// script and its tools.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FIRMWARE_BUNDLE } from '../sim/virtual-pen';
import { VARIANT_BUNDLE_NAMES } from '../flash/firmware-variants';
import type { BundleDrive } from '../flash/firmware-variants';

/** The repository root (the folder holding firmware/). */
export const REPO_ROOT = path.resolve(path.dirname(FIRMWARE_BUNDLE), '..', '..');

/** What the bundles are built from, relative to the repository root. */
export const FIRMWARE_INPUTS = ['firmware/src', 'protocol/src', 'firmware/build.mjs', 'firmware/tools'];
const BUNDLES = ['firmware/dist/stipple.js', ...Object.values(VARIANT_BUNDLE_NAMES).map((f) => `firmware/dist/${f}`), 'firmware/dist/stipple-bench.js'];

export interface FirmwareFreshness {
  stale: boolean;
  /** why it is (or is not) rebuilt, for the user */
  reason: string;
}

export interface FirmwareBuild extends FirmwareFreshness {
  /** the device bundle's path: stipple.js, or the bundle of the drive asked for */
  bundle: string;
  built: boolean;
  /** wall time of the build, s (0 when not built) */
  buildS: number;
}

/** The newest file under `p` (or `p` itself): its path and mtime, ms. */
function newest(p: string): { file: string; mtimeMs: number } {
  if (!existsSync(p)) return { file: p, mtimeMs: 0 };
  const st = statSync(p);
  if (!st.isDirectory()) return { file: p, mtimeMs: st.mtimeMs };
  let best = { file: p, mtimeMs: 0 };
  for (const e of readdirSync(p)) {
    const n = newest(path.join(p, e));
    if (n.mtimeMs > best.mtimeMs) best = n;
  }
  return best;
}

export function firmwareFreshness(root = REPO_ROOT): FirmwareFreshness {
  for (const b of BUNDLES) if (!existsSync(path.join(root, b))) return { stale: true, reason: `${b} is missing` };
  const built = Math.min(...BUNDLES.map((b) => statSync(path.join(root, b)).mtimeMs));
  const src = FIRMWARE_INPUTS.map((p) => newest(path.join(root, p))).reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  if (src.mtimeMs > built) return { stale: true, reason: `${path.relative(root, src.file)} is newer than the firmware bundles` };
  return { stale: false, reason: 'the firmware bundles are newer than their sources' };
}

/**
 * Rebuild the bundles if stale; a failed build throws with the builder's first error line.
 * `drive`: the bundle of that drive only is the one returned.
 */
export function ensureFirmware(root = REPO_ROOT, onBuild?: (reason: string) => void, drive?: BundleDrive): FirmwareBuild {
  const f = firmwareFreshness(root);
  const bundle = path.join(root, drive ? `firmware/dist/${VARIANT_BUNDLE_NAMES[drive]}` : BUNDLES[0]!);
  if (!f.stale) return { ...f, bundle, built: false, buildS: 0 };
  onBuild?.(f.reason);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(root, 'firmware', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    const why = `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n').map((l) => l.trim()).find((l) => l) ?? (r.error?.message || `exit ${r.status}`);
    throw new Error(`the firmware build failed: ${why}`);
  }
  return { ...f, bundle, built: true, buildS: Number(process.hrtime.bigint() - t0) / 1e9 };
}
