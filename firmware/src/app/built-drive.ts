// The drive a bundle was built for (firmware/build.mjs sets __STIPPLE_DRIVE__): '' for the
// combined bundle (stipple.js, the bench build: either drive, chosen at boot from the
// identity), else 'voiceCoil' or 'stepper' for a variant bundle. esbuild folds these
// constants where they guard a drive's code, so a variant bundle carries only its own drive
// (room in a small board's Storage: docs/hardware.md "Storage"). Unit tests run unbuilt:
// the typeof keeps both drives there.
import { DriveVariant } from './pen-io';

/** Set by the build; undefined where the source runs unbuilt (unit tests). */
declare const __STIPPLE_DRIVE__: '' | 'voiceCoil' | 'stepper' | undefined;

export const BUILT_DRIVE: DriveVariant | '' = typeof __STIPPLE_DRIVE__ === 'string' ? __STIPPLE_DRIVE__ : '';
/** This bundle holds the stepper's code (the cam and stage drivers, loops and sequences). */
export const HAS_STEPPER = BUILT_DRIVE !== 'voiceCoil';
/** This bundle holds the voice coil's code (its depth loop). */
export const HAS_VOICE_COIL = BUILT_DRIVE !== 'stepper';

