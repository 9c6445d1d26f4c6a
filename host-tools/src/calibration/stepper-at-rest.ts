// A stepper pen at rest: its depth stage home. After a capture or a run the stage runs home
// on its own (~1.5 mm/s) while the cam ramps down; the tool waits for it before the next
// motion, a dial's max-pointer reset (the needle must be still at home: a cam still slowing
// down there strokes to the home depth, under every point) or a write. It also keeps two
// stage commands from overlapping: the firmware's homing run counts from the position it is
// told, so a homing asked for while another is still under way can stop short of the switch
// (firmware/src/hal/espruino-io.ts stageHome; seen when a calibration record is loaded
// mid-homing and SERVICE is then left).
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
