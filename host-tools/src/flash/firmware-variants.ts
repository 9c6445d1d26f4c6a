// The device bundles `npm run build` makes (firmware/build.mjs): stipple.js carries both
// drives (chosen at boot from the pen's identity); stipple-voice-coil.js and
// stipple-stepper.js carry one drive each, smaller (room for the records on a small
// board's Storage: docs/hardware.md "Storage"), and refuse to boot on the other drive's
// pen. A variant bundle names its drive in its version (`0.1.0+stepper`): the flasher reads
// it from the bundle, and the pen reports it in hello.
import path from 'node:path';

export type BundleDrive = 'voiceCoil' | 'stepper';
export const BUNDLE_DRIVES: readonly BundleDrive[] = ['voiceCoil', 'stepper'];

/** File names of the variant bundles, beside stipple.js in firmware/dist. */
export const VARIANT_BUNDLE_NAMES: Record<BundleDrive, string> = {
  voiceCoil: 'stipple-voice-coil.js',
  stepper: 'stipple-stepper.js',
};

/** The variant bundle for `drive` in the folder of the combined bundle `combined`. */
export function variantBundlePath(combined: string, drive: BundleDrive): string {
  return path.join(path.dirname(combined), VARIANT_BUNDLE_NAMES[drive]);
}

/** The drive a bundle's firmware version names (`0.1.0+stepper`), or undefined for a bundle of both drives. */
export function bundleDrive(fw: string | undefined): BundleDrive | undefined {
  const m = /\+(voiceCoil|stepper)$/.exec(fw ?? '');
  return m ? (m[1] as BundleDrive) : undefined;
}
