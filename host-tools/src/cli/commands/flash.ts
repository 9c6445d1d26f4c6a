// `stipple flash --port P [--bundle file | --own-drive]`: upload a firmware bundle as
// .bootcde, boot it and check with hello that it runs (the procedure and its safety rules:
// host-tools/src/flash/flash-firmware.ts, docs/flashing.md). Ctrl-C stops the upload
// between packets and erases the partial file. By default stipple.js (both drives); where
// it leaves the pen's Storage no room for the records, the bundle of the pen's own drive
// (firmware/dist/stipple-voice-coil.js or stipple-stepper.js) goes on instead, saying so.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { FlashError, flashFirmware } from '../../flash/flash-firmware';
import type { FlashPhase, FlashResult } from '../../flash/flash-firmware';
import { loadBundle } from '../../flash/firmware-bundle';
import type { FirmwareBundle } from '../../flash/firmware-bundle';
import { BUNDLE_DRIVES, variantBundlePath } from '../../flash/firmware-variants';
import type { BundleDrive } from '../../flash/firmware-variants';
import { FIRMWARE_BUNDLE } from '../../sim/virtual-pen';
import { CliError, colour, printJson } from '../output';
import { addPortOptions, withPenSession } from '../port/open-pen-session';
import type { PortOptions } from '../port/open-pen-session';
import { ProgressBar } from '../progress';

interface FlashOpts extends PortOptions {
  bundle?: string;
  ownDrive?: boolean;
  json?: boolean;
}

/** A path as the user would type it: relative inside the working folder, else absolute. */
function rel(f: string): string {
  const r = path.relative(process.cwd(), f);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : f;
}

function readBundle(file: string): FirmwareBundle {
  try {
    return loadBundle(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${rel(file)} does not exist${file === FIRMWARE_BUNDLE ? ' (run `npm run build`)' : ''}` : `cannot read ${rel(file)}: ${(e as Error).message}`);
  }
}

/** The variant bundles that were built (firmware/dist), for the flasher to use in place of stipple.js. */
function variantBundles(): Partial<Record<BundleDrive, FirmwareBundle>> {
  const v: Partial<Record<BundleDrive, FirmwareBundle>> = {};
  for (const d of BUNDLE_DRIVES) {
    const f = variantBundlePath(FIRMWARE_BUNDLE, d);
    if (existsSync(f)) v[d] = { ...readBundle(f), file: rel(f) };
  }
  return v;
}

function summary(r: FlashResult, wallMs: number): string[] {
  const kbps = r.bytes / 1024 / Math.max(0.001, r.uploadMs / 1000);
  const prev = r.previous.answered ? `${r.previous.fw} (${r.previous.drive})` : `no Stipple firmware answered (${r.previous.why})`;
  const cal = r.info.cal.status === 'ok' ? colour.ok(`calibration ok (${r.info.cal.date})`) : colour.warn(`calibration ${r.info.cal.status}`);
  return [
    `  before:  ${prev}`,
    `  ${colour.ok('✓')} uploaded ${rel(r.file)}, ${r.bytes} B in ${(r.uploadMs / 1000).toFixed(1)} s (${kbps.toFixed(1)} KB/s), read back with CRC ${r.crc} (${r.scheme} scheme)`,
    `  ${colour.ok('✓')} pen ${r.info.serial} runs firmware ${colour.bold(r.info.fw)}, schema ${r.info.fp}; ${cal}`,
    colour.dim(`  done in ${(wallMs / 1000).toFixed(1)} s`),
  ];
}

export function registerFlash(program: Command): void {
  addPortOptions(program.command('flash').description('upload a firmware bundle into the pen\'s Storage, boot it and check that it runs'))
    .option('--bundle <file>', `the bundle to upload (default ${rel(FIRMWARE_BUNDLE)}, or the pen's own drive's bundle where that leaves no room for the records)`)
    .option('--own-drive', 'upload the bundle of the pen\'s drive only (stipple-voice-coil.js or stipple-stepper.js, as its identity says): smaller')
    .option('--json', 'machine-readable output (one JSON object at the end)')
    .action(async (opts: FlashOpts) => {
      if (opts.bundle !== undefined && opts.ownDrive) throw new CliError('--bundle and --own-drive exclude each other: --own-drive picks the bundle');
      const bundle = readBundle(path.resolve(opts.bundle ?? FIRMWARE_BUNDLE));
      // an explicit --bundle is flashed as it is (or refused); the default may give way to the pen's own drive's bundle
      const variants = opts.bundle === undefined ? variantBundles() : undefined;
      let notice: string | undefined;
      const say = (s: string): void => { if (!opts.json) console.log(s); };
      say(colour.bold(`flashing ${rel(bundle.file)} (${bundle.bytes.length} B, firmware ${bundle.fw ?? '?'}, schema ${bundle.fp ?? '?'}) on ${opts.port}`));
      const abort = new AbortController();
      const onSigint = (): void => {
        if (abort.signal.aborted) process.exit(130); // a second Ctrl-C: leave now
        abort.abort();
      };
      process.on('SIGINT', onSigint);
      const bar = new ProgressBar('  uploading');
      const wall0 = Date.now();
      try {
        const r = await withPenSession(opts, (s) =>
          s.run(flashFirmware(s, bundle, {
            signal: abort.signal,
            variants,
            preferVariant: opts.ownDrive,
            onNotice: (text) => { notice = text; say(colour.warn(`  ${text}`)); },
            onPhase: (p: FlashPhase, d: string) => { if (p !== 'upload') bar.finish(); if (p !== 'probe') say(colour.dim(`  ${d}…`)); },
            onProgress: (sent, total) => bar.update(sent, total),
          })).catch((e: unknown) => {
            bar.finish();
            if (e instanceof FlashError) throw new CliError(`flash failed: ${e.message}`);
            throw e;
          }),
        );
        bar.finish();
        if (opts.json) printJson({ ok: true, port: opts.port, wallMs: Date.now() - wall0, ...(notice ? { notice } : {}), ...r });
        else for (const l of summary(r, Date.now() - wall0)) console.log(l);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
