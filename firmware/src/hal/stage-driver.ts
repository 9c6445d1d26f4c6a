// The stepper's depth stage on Espruino: a STEP/DIR lead screw with a home switch
// (docs/hardware.md). Steps go out as hardware-timed digitalPulse trains of at most
// STAGE_CHUNK_STEPS, one train at a time (STAGE_DIR only changes between trains).
//
// The position this layer reports is the one it has pulsed since the stage was last homed,
// so it is never nearer home than the stage really is unless steps were lost on the way in.
// It is unknown (NaN) from boot until a homing run has found the switch, and while one runs.
// A homing run goes back until the switch closes (at most the whole travel and a margin),
// then one step at a time out until it opens, then STAGE_HOME_INSIDE_STEPS back in: home is
// always the same place, with the switch firmly closed. A homing asked for while one runs
// leaves it running; moves asked meanwhile are made from home once it has finished.
import { STAGE_MOVING, STAGE_HOMING, STAGE_LOST, STAGE_STILL } from '../app/pen-io';
import { STAGE_TRAVEL_STEPS } from '../control/stage-depth';

/** Step pulse width and gap, ms: 3.1 kHz, under the stage's ~4 kHz (−10 %) step-rate limit (docs/hardware.md). */
const STAGE_PULSE_MS = 0.16;
/** Steps per digitalPulse train (the utility timer's queue is short). */
export const STAGE_CHUNK_STEPS = 16;
/** A homing run looks this far beyond the whole travel for the switch, steps (0.2 mm: lost steps). */
const STAGE_HOME_MARGIN_STEPS = 320;
/** Stepping off a closed switch gives up after this many single steps (the switch is stuck). */
const STAGE_HOME_OFF_MAX_STEPS = 96;
/** Home lies this far inside the switch's closing point, steps (5 µm: the switch reads closed at home). */
export const STAGE_HOME_INSIDE_STEPS = 8;

export interface StageDriver {
  stageMove(steps: number): number;
  stageHome(): void;
  stagePos(): number;
  stageState(): number;
}

export function createStageDriver(stepPin: Pin, dirPin: Pin, homePin: Pin): StageDriver {
  /** steps from home the stage stands at (what has been pulsed) */
  let pos = 0;
  /** steps still to pulse, signed */
  let queued = 0;
  let known = false;
  /** homing: 0 not, 1 back to the switch, 2 single steps off it, 3 back inside */
  let homing = 0;
  let homeLeft = 0;
  let timer: any = 0;
  const chunk: number[] = [];
  for (let i = 0; i < 2 * STAGE_CHUNK_STEPS - 1; i++) chunk.push(STAGE_PULSE_MS);

  function pulse(n: number, out: boolean): void {
    digitalWrite(dirPin, out ? 1 : 0);
    digitalPulse(stepPin, 1, n === STAGE_CHUNK_STEPS ? chunk : n === 1 ? STAGE_PULSE_MS : chunk.slice(0, 2 * n - 1));
    timer = setTimeout(pump, 2 * n * STAGE_PULSE_MS + 1);
  }

  function failed(): void {
    homing = 0;
    known = false;
    queued = 0;
  }

  function homeStep(): void {
    const closed = !digitalRead(homePin);
    if (homing === 1) {
      if (!closed) {
        if (homeLeft <= 0) return failed();
        const n = homeLeft < STAGE_CHUNK_STEPS ? homeLeft : STAGE_CHUNK_STEPS;
        homeLeft -= n;
        return pulse(n, false);
      }
      homing = 2;
      homeLeft = STAGE_HOME_OFF_MAX_STEPS;
    }
    if (homing === 2) {
      if (closed) {
        if (homeLeft-- <= 0) return failed();
        return pulse(1, true);
      }
      homing = 3;
      return pulse(STAGE_HOME_INSIDE_STEPS, false);
    }
    // back inside: this is home
    homing = 0;
    if (!closed) return failed();
    pos = 0;
    known = true;
    pump();
  }

  function pump(): void {
    timer = 0;
    if (homing) return homeStep();
    if (!known) {
      queued = 0;
      return;
    }
    const n = queued > 0 ? queued : -queued;
    if (!n) return;
    const m = n < STAGE_CHUNK_STEPS ? n : STAGE_CHUNK_STEPS;
    const out = queued > 0;
    queued -= out ? m : -m;
    pos += out ? m : -m;
    pulse(m, out);
  }

  return {
    stageMove(steps) {
      if (!known && !homing) return 0;
      queued += steps;
      if (!timer) pump();
      // a chunk: 2n pulse widths and 1 ms; the one under way too
      return ((queued > 0 ? queued : -queued) + STAGE_CHUNK_STEPS) * (2 * STAGE_PULSE_MS + 1 / STAGE_CHUNK_STEPS);
    },
    stageHome() {
      if (homing) return;
      queued = 0;
      known = false;
      homing = 1;
      homeLeft = STAGE_TRAVEL_STEPS + STAGE_HOME_MARGIN_STEPS;
      if (!timer) pump();
    },
    stagePos() {
      return known && !homing ? pos + queued : NaN;
    },
    stageState() {
      return homing ? STAGE_HOMING : !known ? STAGE_LOST : queued || timer ? STAGE_MOVING : STAGE_STILL;
    },
  };
}
