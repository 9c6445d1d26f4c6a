// A whole simulated pen: the virtual Espruino board running the firmware bundle, with
// the physics of the reference hardware behind its pins. Made "at the factory": the
// bundle goes into Storage as .bootcde (byte-identical to what a real pen receives) and
// the identity record (`hw`: drive variant, serial, technician secret) is written once.
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { createHash } from 'crypto';
import { VirtualBoard } from './board';
import { createPenHardware, PenHardware, PenVariant, SkinOptions } from './physics/pen-hardware';
import { PIN_MAPS } from '@stipple/firmware/boards/pin-maps';
import { variantBundlePath } from '../flash/firmware-variants';

/** The repository root: the first folder above this module (source or bundled CLI) with the firmware build. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'firmware', 'build.mjs')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const FIRMWARE_BUNDLE = path.join(repoRoot(), 'firmware', 'dist', 'stipple.js');

/** The device bundle of one drive only (firmware/dist/stipple-voice-coil.js, stipple-stepper.js). */
export function variantBundle(variant: PenVariant): string {
  return variantBundlePath(FIRMWARE_BUNDLE, variant);
}

/** The bundle text a pen made with `opts` runs: `bundle`, else its drive's variant bundle (`variantBundle`), else stipple.js. */
export function penBundle(opts: Pick<VirtualPenOptions, 'bundle' | 'variant' | 'variantBundle'>): string {
  if (opts.bundle !== undefined) return opts.bundle;
  return readFileSync(opts.variantBundle ? variantBundle(opts.variant || 'voiceCoil') : FIRMWARE_BUNDLE, 'latin1');
}

export interface VirtualPenOptions {
  seed: number;
  variant?: PenVariant;
  /** part-to-part spread (default true) */
  spread?: boolean;
  board?: 'PICO' | 'WIFI' | 'MDBT42Q' | 'ESP32';
  /** bundle text; default firmware/dist/stipple.js (or with `variantBundle`, the drive's own bundle) */
  bundle?: string;
  /** without `bundle`: run the bundle of this pen's drive only (stipple-voice-coil.js / stipple-stepper.js) */
  variantBundle?: boolean;
  skin?: SkinOptions;
  supplyV?: number;
}

export class VirtualPen {
  readonly board: VirtualBoard;
  readonly hardware: PenHardware;
  readonly serial: string;
  /** the per-device technician secret (hex), as the factory would hand it to the technician's tool */
  readonly secret: string;

  constructor(opts: VirtualPenOptions) {
    const boardName = opts.board || 'PICO';
    const variant = opts.variant || 'voiceCoil';
    this.hardware = createPenHardware({
      seed: opts.seed, variant, spread: opts.spread !== false, pins: PIN_MAPS[boardName], skin: opts.skin, supplyV: opts.supplyV,
    });
    this.board = new VirtualBoard({ profile: boardName, hardware: this.hardware, seed: opts.seed });
    this.serial = `SIM-${variant === 'stepper' ? 'S' : 'V'}-${String(opts.seed).padStart(6, '0')}`;
    this.secret = createHash('sha256').update(`stipple-sim-secret:${this.serial}`).digest('hex').slice(0, 32);
    const bundle = penBundle(opts);
    this.board.storage.writeFile('hw', JSON.stringify({ variant, serial: this.serial, secret: this.secret }));
    this.board.storage.writeFile('.bootcde', bundle);
  }

  powerOn(): void {
    this.board.powerOn();
  }

  runFor(seconds: number): void {
    this.board.runFor(seconds);
  }
}
