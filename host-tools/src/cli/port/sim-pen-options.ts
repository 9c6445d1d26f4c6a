// The simulated pen a command asks for (`--port sim`, `stipple sim --pty`): seed, drive
// variant, and `bench` for the bench firmware build (built-in calibration, host runs
// without SERVICE) on a virtual board. Checked here so a bad value is one clear line.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIRMWARE_BUNDLE, variantBundle } from '../../sim/virtual-pen';
import type { VirtualPenOptions } from '../../sim/virtual-pen';
import { CliError } from '../output';

export const SIM_VARIANTS = ['voiceCoil', 'stepper', 'bench'] as const;
export type SimVariant = (typeof SIM_VARIANTS)[number];

export const BENCH_BUNDLE = path.join(path.dirname(FIRMWARE_BUNDLE), 'stipple-bench.js');

export function parseSeed(s: string): number {
  const seed = Number(s);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new CliError(`--seed must be a non-negative integer (got "${s}")`);
  return seed;
}

export function parseSimVariant(v: string): SimVariant {
  if (!(SIM_VARIANTS as readonly string[]).includes(v)) throw new CliError(`--variant must be one of ${SIM_VARIANTS.join(', ')} (got "${v}")`);
  return v as SimVariant;
}

function readBundle(file: string): string {
  if (!existsSync(file)) throw new CliError(`${path.relative(process.cwd(), file) || file} is missing: run \`npm run build\``);
  return readFileSync(file, 'latin1');
}

/**
 * VirtualPen options for a seed and variant (the bench build drives the voice-coil board);
 * `ownDrive`: the device bundle of that drive only (stipple-voice-coil.js, stipple-stepper.js).
 */
export function simPenOptions(seed: number, variant: SimVariant, ownDrive = false): VirtualPenOptions {
  if (variant === 'bench') {
    if (ownDrive) throw new CliError('--sim-own-drive needs --variant voiceCoil or stepper: the bench build has no bundle per drive');
    return { seed, variant: 'voiceCoil', bundle: readBundle(BENCH_BUNDLE) };
  }
  return { seed, variant, bundle: readBundle(ownDrive ? variantBundle(variant) : FIRMWARE_BUNDLE) };
}
