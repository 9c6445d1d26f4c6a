// `stipple flash` as a library: put a firmware bundle into a pen's Storage as .bootcde
// over the packet protocol, boot it and check with hello that it runs.
//
// Safety rule: whatever fails, the pen stays reachable over its REPL and never boots a
// damaged firmware. A file is only ever booted after the pen read it back with the right
// size and CRC; a bad or partial copy is erased (and if that erase cannot happen, a
// partial bundle cannot run anyway: the bundle is one IIFE, so a cut one is a syntax
// error and the pen boots to a bare REPL). Two schemes (flash-plan.ts):
//   staged  upload .fwnew while the old firmware runs, verify, copy to .bootcde, verify,
//           reboot. A failed upload leaves the old firmware as it was.
//   direct  (Storage too small for two copies, e.g. a Pico) erase .bootcde and reset to a
//           bare interpreter, upload .bootcde, verify, reboot. During the upload the pen
//           has no firmware: drive off, REPL reachable, `stipple flash` again recovers it.
// A variant bundle (one drive only, firmware-variants.ts) goes only onto a pen whose
// identity names its drive; a bundle of both drives that leaves no room for the records
// is swapped for the pen's variant bundle when the caller offers one (`variants`).
import type { Info } from '@stipple/protocol';
import { schemaFingerprint } from '@stipple/protocol';
import type { HostClock } from '../link/clock';
import { PenError } from '../link/errors';
import type { PenClient } from '../link/pen-client';
import type { FirmwareBundle } from './firmware-bundle';
import { bundleDrive, VARIANT_BUNDLE_NAMES } from './firmware-variants';
import type { BundleDrive } from './firmware-variants';
import { planFlash } from './flash-plan';
import type { StorageProbe } from './flash-plan';
import {
  BOOT_FILE, ERASE_AND_REBOOT_EXPR, REBOOT_EXPR, STAGED_FILE, eraseFile, fileCheck, identityDrive, probeStorage, promoteStaged,
} from './pen-storage';

/** What flashing needs from the link to the pen (a CLI PenSession provides it). */
export interface FlashTarget {
  readonly client: PenClient;
  readonly clock: HostClock;
  /** Called right after the pen was told to reset. */
  afterReset(): Promise<void>;
}

export type FlashPhase = 'probe' | 'stop' | 'upload' | 'verify' | 'swap' | 'boot' | 'hello';

export interface FlashOptions {
  /** A step starts (for the CLI's status lines). */
  onPhase?: (phase: FlashPhase, detail: string) => void;
  /** Upload progress, bytes. */
  onProgress?: (sent: number, total: number) => void;
  /** Stops the upload between packets (Ctrl-C); the partial file is erased. */
  signal?: AbortSignal;
  /** How long the pen may take to answer hello after the reboot, ms (default 10000). */
  bootTimeoutMs?: number;
  /** Force a scheme (tests; 'staged' still needs the room). Default: the plan's. */
  scheme?: 'staged' | 'direct';
  /**
   * The variant bundles (one drive each) to flash instead of a bundle of both drives that
   * leaves the pen's Storage no room for its records; without them such a flash is refused.
   */
  variants?: Partial<Record<BundleDrive, FirmwareBundle>>;
  /** Flash the pen's variant bundle (from `variants`, by its identity) instead of a bundle of both drives, room or not. */
  preferVariant?: boolean;
  /** Something the user should know before the upload (the bundle was swapped for the pen's variant bundle). */
  onNotice?: (text: string) => void;
}

export type PreviousFirmware =
  | { answered: true; fw: string; fp: string; serial: string; drive: string }
  | { answered: false; why: string };

export interface FlashResult {
  scheme: 'staged' | 'direct';
  /** The bundle flashed: the one asked for, or the pen's variant bundle that replaced it. */
  file: string;
  /** The drive the pen's identity names. */
  drive: BundleDrive;
  bytes: number;
  crc: number;
  previous: PreviousFirmware;
  /** The new firmware's hello. */
  info: Info;
  storage: StorageProbe;
  /** On the target's clock (virtual for a simulated pen), ms. */
  uploadMs: number;
  totalMs: number;
}

/** A failed flash: one line saying what failed and what state the pen is left in. */
export class FlashError extends Error {
  override name = 'FlashError';
  constructor(message: string, readonly phase: FlashPhase) {
    super(message);
  }
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

function sameFile(got: { size: number; crc: number } | null, b: FirmwareBundle): boolean {
  return got !== null && got.size === b.bytes.length && got.crc === b.crc;
}

function describe(got: { size: number; crc: number } | null): string {
  return got ? `${got.size} B, CRC ${got.crc}` : 'no file';
}

function checkBundle(bundle: FirmwareBundle, hostFp: string): void {
  if (bundle.bytes.length === 0) throw new FlashError(`${bundle.file} is empty; nothing was changed`, 'probe');
  if (bundle.fp && bundle.fp !== hostFp) {
    throw new FlashError(`${bundle.file} was built from other schemas (fingerprint ${bundle.fp}, these host tools ${hostFp}): they could not talk to it; rebuild it (npm run build). Nothing was changed`, 'probe');
  }
}

export async function flashFirmware(t: FlashTarget, asked: FirmwareBundle, o: FlashOptions = {}): Promise<FlashResult> {
  const { client, clock } = t;
  const phase = (p: FlashPhase, d: string): void => o.onPhase?.(p, d);
  const hostFp = schemaFingerprint();
  checkBundle(asked, hostFp);
  /** what goes onto the pen: `asked`, or the pen's variant bundle when `asked` leaves no room */
  let bundle = asked;
  const t0 = clock.now();
  let console = '';
  const offText = client.onText((s) => { console = (console + s).slice(-4000); });
  try {
    // 1. who is there: the protocol if a firmware answers, the interpreter in any case
    phase('probe', 'asking the pen who it is');
    let previous: PreviousFirmware;
    try {
      const info = await client.connect();
      previous = { answered: true, fw: info.fw, fp: info.fp, serial: info.serial, drive: info.drive };
      await client.stopRun().catch(() => undefined); // drive off before anything else
    } catch (e) {
      previous = { answered: false, why: reason(e) };
    }
    let storage: StorageProbe;
    try {
      storage = await probeStorage(client);
    } catch (e) {
      throw new FlashError(`the pen's interpreter does not answer (${reason(e)}): wrong port, or its console is locked with a password (E.setPassword); nothing was changed`, 'probe');
    }
    const drive = await identityDrive(client).catch((e: unknown) => {
      throw new FlashError(`could not read the pen's identity (${reason(e)}); nothing was changed`, 'probe');
    });
    const built = bundleDrive(bundle.fw);
    if (built && built !== drive) {
      throw new FlashError(`${bundle.file} drives ${built} pens only, and this pen's identity says ${drive}: flash ${VARIANT_BUNDLE_NAMES[drive]} or stipple.js; nothing was changed`, 'probe');
    }
    let plan = planFlash(storage, bundle.bytes.length);
    if (!built && (plan.scheme === 'none' || o.preferVariant)) {
      const own = o.variants?.[drive];
      if (own && bundleDrive(own.fw) !== drive) throw new FlashError(`${own.file} is not a ${drive} bundle (its version is ${own.fw ?? 'unknown'}); nothing was changed`, 'probe');
      const ownPlan = own ? planFlash(storage, own.bytes.length) : undefined;
      if (own && ownPlan && (ownPlan.scheme !== 'none' || o.preferVariant)) {
        checkBundle(own, hostFp);
        o.onNotice?.(plan.scheme === 'none'
          ? `${bundle.file} (both drives, ${bundle.bytes.length} B) leaves no room for the pen's records (${plan.why}): flashing this ${drive} pen's own bundle ${own.file} (${own.bytes.length} B) instead`
          : `this is a ${drive} pen: flashing its own bundle ${own.file} (${own.bytes.length} B)`);
        bundle = own;
        plan = ownPlan;
      } else if (plan.scheme === 'none' && !own) {
        plan = { ...plan, why: `${plan.why}: ${VARIANT_BUNDLE_NAMES[drive]}, the bundle of this pen's drive only (${drive}), is smaller` };
      } else if (o.preferVariant && !own) {
        throw new FlashError(`no ${VARIANT_BUNDLE_NAMES[drive]} to flash on this ${drive} pen (run \`npm run build\`); nothing was changed`, 'probe');
      }
    }
    if (plan.scheme === 'none') throw new FlashError(`${plan.why}; nothing was changed`, 'probe');
    const scheme = o.scheme === 'direct' || plan.scheme === 'direct' ? 'direct' : 'staged';
    if (o.scheme === 'staged' && plan.scheme !== 'staged') throw new FlashError('no room to stage a second copy; nothing was changed', 'probe');

    const upload = async (fn: string, safeState: string): Promise<number> => {
      phase('upload', `uploading ${bundle.bytes.length} B as ${fn}`);
      const u0 = clock.now();
      try {
        await client.uploadFile(fn, bundle.bytes, { onProgress: o.onProgress, signal: o.signal });
      } catch (e) {
        await eraseFile(client, fn).catch(() => undefined);
        throw new FlashError(`upload interrupted (${reason(e)}); ${safeState}`, 'upload');
      }
      return clock.now() - u0;
    };
    const verify = async (fn: string, safeState: string): Promise<void> => {
      phase('verify', `reading ${fn} back`);
      const got = await fileCheck(client, fn).catch((e: unknown) => { throw new FlashError(`could not read ${fn} back (${reason(e)}); ${safeState}`, 'verify'); });
      if (!sameFile(got, bundle)) {
        await eraseFile(client, fn).catch(() => undefined);
        throw new FlashError(`verification failed: the pen read back ${describe(got)}, expected ${bundle.bytes.length} B, CRC ${bundle.crc}; ${safeState}`, 'verify');
      }
    };

    let uploadMs: number;
    if (scheme === 'staged') {
      const untouched = previous.answered ? `the old firmware ${previous.fw} is untouched` : 'the pen\'s .bootcde is untouched';
      if (storage.stagedSize >= 0) await eraseFile(client, STAGED_FILE);
      uploadMs = await upload(STAGED_FILE, `${untouched}; run \`stipple flash\` again`);
      await verify(STAGED_FILE, `${untouched}; run \`stipple flash\` again`);
      phase('swap', `copying ${STAGED_FILE} to ${BOOT_FILE}`);
      const copy = await promoteStaged(client).catch(() => null);
      if (!sameFile(copy, bundle)) {
        await eraseFile(client, BOOT_FILE).catch(() => undefined);
        throw new FlashError(`copying ${STAGED_FILE} to ${BOOT_FILE} failed (read back ${describe(copy)}); ${BOOT_FILE} was erased, so the pen boots to a bare REPL; the verified copy stays in ${STAGED_FILE}: run \`stipple flash\` again`, 'swap');
      }
      await eraseFile(client, STAGED_FILE);
    } else {
      const bare = 'the pen has no firmware now and waits at a bare REPL (drive off): run `stipple flash` again';
      phase('stop', 'erasing the old firmware and resetting the pen to a bare interpreter');
      await client.evaluate(ERASE_AND_REBOOT_EXPR).catch(() => undefined); // the reset may cut the answer
      await t.afterReset();
      const after = await waitFor(t, () => probeStorage(client, 500), 10000).catch((e: unknown) => {
        throw new FlashError(`the pen did not come back after the reset (${reason(e)}); its firmware may be erased: run \`stipple flash\` again`, 'stop');
      });
      if (after.bootSize >= 0) throw new FlashError(`the pen did not erase ${BOOT_FILE} (still ${after.bootSize} B); nothing else was changed`, 'stop');
      uploadMs = await upload(BOOT_FILE, bare);
      await verify(BOOT_FILE, bare);
    }

    // 2. boot it: the old firmware's own reboot if it still runs, else the interpreter's
    phase('boot', 'rebooting the pen');
    if (scheme === 'staged' && previous.answered) await client.reboot().catch(() => client.evaluate(REBOOT_EXPR).catch(() => undefined));
    else await client.evaluate(REBOOT_EXPR).catch(() => undefined);
    await t.afterReset();
    phase('hello', 'waiting for the new firmware');
    const bootTimeout = o.bootTimeoutMs ?? 10000;
    const info = await waitFor(t, () => client.connect(), bootTimeout, (e) => e instanceof PenError && e.code === 'SCHEMA_MISMATCH').catch((e: unknown) => {
      const uncaught = /Uncaught [^\r\n]*/g;
      const printed = console.match(uncaught)?.pop();
      throw new FlashError(
        `the new firmware is in ${BOOT_FILE} (verified) but did not answer hello within ${bootTimeout / 1000} s (${reason(e)})` +
          `${printed ? `; the pen printed "${printed.slice(0, 100)}"` : ''}; its REPL stays reachable: flash a working bundle`,
        'hello',
      );
    });
    if (bundle.fw && info.fw !== bundle.fw) {
      throw new FlashError(`after flashing, the pen reports firmware ${info.fw}, not the bundle's ${bundle.fw}`, 'hello');
    }
    return {
      scheme, file: bundle.file, drive, bytes: bundle.bytes.length, crc: bundle.crc, previous, info, storage, uploadMs,
      totalMs: clock.now() - t0,
    };
  } finally {
    offText();
  }
}

/** Retry `f` until it resolves or `timeoutMs` passed on the target's clock; `fatal` errors stop at once. */
async function waitFor<T>(t: FlashTarget, f: () => Promise<T>, timeoutMs: number, fatal?: (e: unknown) => boolean): Promise<T> {
  const end = t.clock.now() + timeoutMs;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (fatal?.(e) || t.clock.now() >= end) throw e;
      await new Promise<void>((r) => t.clock.setTimeout(() => r(), 250));
    }
  }
}
