// The stepper's cam motor on Espruino: STEP is a hardware PWM (analogWrite with freq),
// ENABLE the driver's enable pin, CAM_INDEX a once-per-revolution sensor (docs/hardware.md).
//
// This layer counts the steps the field has made since boot from its own STEP frequency
// changes and their times: a new frequency restarts the PWM period (its first step one
// period later), a start from standstill steps at once. The rotor follows the field while
// in step, so a step count is a cam angle; each index edge records the count at which the
// rotor passed the index (the edge's interrupt time stamp, in the segment it fell in).
//
// camRun ramps (camRampHz); camPark brakes onto a chosen step (camBrakeHz) and stops there:
// the last few steps at CAM_START_HZ, from which the motor stops within a step, then the
// winding holds the rotor CAM_HOLD_MS and the driver is disabled. One 1 ms timer does both.
import { camRampHz, camRampMs, camBrakeHz, camBrakeSteps, CAM_TICK_MS, CAM_START_HZ } from '../control/cam-speed';

/** After its last step a stopping cam's winding holds the rotor this long, ms (it settles on the field). */
const CAM_HOLD_MS = 5;

export interface CamDriver {
  camRun(stepFreq: number): number;
  camPark(at: number, every: number, done: () => void): void;
  camSteps(): number;
  camIndexSteps(): number;
  indexPeriod(): number;
  indexAge(): number;
  /** Driver off at once: no more steps, ENABLE low. */
  camOff(): void;
  /** Index timing starts afresh (block sampling starts): indexAge counts from now. */
  indexRestart(): void;
}

export function createCamDriver(stepPin: Pin, enablePin: Pin, indexPin: Pin): CamDriver {
  // the natives under names the minifier shortens: a global's name is written out at every
  // call site (Storage: the device bundle must fit the MDBT42Q beside its records)
  const clock = getTime;
  const pinWrite = digitalWrite;
  const pwmWrite = analogWrite;
  // the STEP output since t0: f Hz from `base` steps; idle 1: started from standstill (first step at t0)
  let t0 = 0;
  let f = 0;
  let base = 0;
  let idle = 0;
  /** ramp target, Hz */
  let target = 0;
  /** the step a park stops on (NaN: ramping) */
  let parkAt = NaN;
  let tick: any = 0;
  let hold: any = 0;
  let parkDone: (() => void) | undefined;

  function stepsAt(t: number): number {
    return f > 0 ? base + Math.floor((t - t0) * f) + idle : base;
  }

  function setHz(hz: number): void {
    const now = clock();
    base = stepsAt(now);
    idle = f > 0 ? 0 : 1;
    t0 = now;
    f = hz;
    if (hz > 0) pwmWrite(stepPin, 0.5, { freq: hz });
    else pinWrite(stepPin, 0);
  }

  function stopTimers(): void {
    if (tick) clearInterval(tick);
    if (hold) clearTimeout(hold);
    tick = 0;
    hold = 0;
  }

  /** Stepping stops now; the winding holds the rotor a moment, then the driver is disabled. */
  function halt(): void {
    setHz(0);
    hold = setTimeout(function () {
      hold = 0;
      pinWrite(enablePin, 0);
      const d = parkDone;
      parkDone = undefined;
      if (d) d();
    }, CAM_HOLD_MS);
  }

  /** The last steps onto parkAt at CAM_START_HZ (or slower), stopping half a period after the last one. */
  function lastSteps(): void {
    const now = clock();
    if (parkAt <= stepsAt(now)) return halt();
    if (!f || f > CAM_START_HZ) setHz(CAM_START_HZ);
    hold = setTimeout(halt, (t0 + (parkAt - base - idle + 0.5) / f - now) * 1000);
  }

  function onTick(): void {
    if (parkAt === parkAt) {
      const hz = camBrakeHz(f, parkAt - stepsAt(clock()));
      if (hz < f) {
        if (hz) setHz(hz);
        else {
          clearInterval(tick);
          tick = 0;
          lastSteps();
        }
      }
      return;
    }
    const hz = camRampHz(f, target);
    if (hz === target) {
      clearInterval(tick);
      tick = 0;
    }
    if (hz !== f) {
      if (hz) setHz(hz);
      else halt();
    }
  }

  let indexCount = 0;
  let indexFirst = 0;
  let indexLast = 0;
  let indexSteps = NaN;
  setWatch(
    function (e) {
      if (indexCount === 0) indexFirst = e.time;
      indexLast = e.time;
      indexCount++;
      // an edge from before the last frequency change is not counted (its segment is gone)
      if (e.time >= t0) indexSteps = stepsAt(e.time);
    },
    indexPin,
    { repeat: true, edge: 'falling' },
  );

  return {
    camRun(stepFreq) {
      stopTimers();
      parkAt = NaN;
      parkDone = undefined;
      const ms = camRampMs(f, stepFreq);
      target = stepFreq;
      if (stepFreq > 0) pinWrite(enablePin, 1);
      if (f !== target) {
        onTick();
        if (f !== target) tick = setInterval(onTick, CAM_TICK_MS);
      } else if (!f) pinWrite(enablePin, 0);
      return ms;
    },
    camPark(at, every, done) {
      stopTimers();
      parkDone = done;
      target = 0;
      // the first step ≡ at (mod every) at or beyond where braking can stop; at rest, within a step is there
      let p = stepsAt(clock()) + camBrakeSteps(f) + (f ? 1 : 0);
      if (every > 0) {
        let d = (p - at) % every;
        if (d < 0) d += every;
        if (d >= 1) p = Math.round(p + every - d);
      }
      parkAt = p;
      pinWrite(enablePin, 1);
      if (f > CAM_START_HZ) tick = setInterval(onTick, CAM_TICK_MS);
      else lastSteps();
    },
    camSteps() {
      return stepsAt(clock());
    },
    camIndexSteps() {
      return indexSteps;
    },
    indexPeriod() {
      const n = indexCount;
      const p = n > 1 ? (indexLast - indexFirst) / (n - 1) : 0;
      if (n > 1) {
        indexCount = 1;
        indexFirst = indexLast;
      }
      return p;
    },
    indexAge() {
      return clock() - indexLast;
    },
    indexRestart() {
      indexCount = 0;
      indexLast = clock();
    },
    camOff() {
      stopTimers();
      parkDone = undefined;
      parkAt = NaN;
      target = 0;
      if (f) setHz(0);
      pinWrite(enablePin, 0);
    },
  };
}
