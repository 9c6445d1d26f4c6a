// A stepper pen at rest. After a capture the stage runs home on its own (~1.6 mm/s) while the
// cam ramps down; the tool waits for the home switch before the next capture (each starts from
// home), before a write and before leaving SERVICE after an abort (the needle is in once the
// stage is home). A run's stop instead brakes the cam onto its retracted phase within 50 ms
// (docs/control.md "Stop and park") and leaves the stage where it is, a host's run in SERVICE
// too: the verification's runs go on from there (stepperParked).
import type { CalibrationContext } from './calibration-context';

/** Poll period; how long the stage may take (its whole travel at its step rate, with margin); the homing run's last chunk (16 steps at ~3 kHz), ms. */
const POLL_MS = 50;
const MAX_MS = 4000;
const LAST_CHUNK_MS = 8;

/** Resolves true once the home switch reads closed; false after MAX_MS. */
export async function stepperAtRest(ctx: CalibrationContext): Promise<boolean> {
  for (let t = 0; t <= MAX_MS; t += POLL_MS) {
    if ((await ctx.run(ctx.client.sensors())).home) {
      await ctx.sleep(LAST_CHUNK_MS);
      return true;
    }
    await ctx.sleep(POLL_MS);
  }
  return false;
}

/** A run's stop parks the cam within 50 ms (the firmware's bound, with margin), ms. */
export const PARK_MS = 60;

/** After a run's stop: the cam parked at its retracted phase (the needle inside the cartridge), the stage where the run left it. */
export async function stepperParked(ctx: CalibrationContext): Promise<void> {
  await ctx.sleep(PARK_MS);
}
