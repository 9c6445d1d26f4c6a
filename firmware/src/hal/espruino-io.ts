// The device hardware layer: PenIo on Espruino's globals and the reference hardware
// (docs/hardware.md). Stroke clocks, drive PWM, step trains and Hall sampling are all
// hardware peripherals (analogWrite with freq, digitalPulse, Waveform); JavaScript
// only reconfigures them once per block.
import { PenIo, DriveVariant, RAW_HALL, RAW_CURRENT, RAW_NTC } from '../app/pen-io';
import { PinMap } from '../boards/pin-maps';
import { SAMPLES_PER_BLOCK } from '../control/block-analysis';
import { camRampHz, camRampMs, CAM_RAMP_TICK_MS } from '../control/cam-speed';
import { STAGE_TRAVEL_STEPS } from '../control/stage-depth';
import { coilAmpsFromAdc, ntcCelsiusFromAdc, supplyVoltsFromAdc } from './analog-scaling';
import { espruinoServices, EspruinoServices } from './espruino-services';

/** H-bridge PWM frequency, Hz (above hearing, within the DRV8876's range). */
export const DRIVE_PWM_HZ = 20000;
/** Depth-stage step pulse width and gap, ms: 3.1 kHz, under the stage's ~4 kHz (−10 %) step-rate limit (docs/hardware.md). */
const STAGE_PULSE_MS = 0.16;
/** Stage steps per digitalPulse call (the utility timer's queue is short). */
const STAGE_CHUNK_STEPS = 16;
/** A stopping cam's winding stays energised this long after its last step, ms (the rotor settles on the field). */
const CAM_STOP_HOLD_MS = 60;
/** A homing run goes this far past the whole travel, steps (0.2 mm: lost steps). */
const STAGE_HOME_MARGIN_STEPS = 320;

export function createEspruinoIo(pins: PinMap, variant: DriveVariant, board: string): PenIo {
  const wave = new Waveform(SAMPLES_PER_BLOCK, { doubleBuffer: true, bits: 16 });
  let blockHandler: ((buf: Uint16Array) => void) | undefined;
  // a stopped Waveform stays `running` until its 'finish' event: a restart waits for it
  let pendingFreq = 0;
  wave.on('buffer', function (buf) {
    if (blockHandler) blockHandler(buf);
  });
  wave.on('finish', function () {
    if (pendingFreq) {
      const f = pendingFreq;
      pendingFreq = 0;
      wave.startInput(pins.HALL, f, { repeat: true });
    }
  });
  // depth stage: queued steps, sent in chunks of hardware-timed pulses
  let stagePending = 0;
  let stageTimer: any = 0;
  /** running home: pulses continue until the home switch closes; moves asked meanwhile wait in afterHome */
  let homing = false;
  let afterHome = 0;
  const stageChunk: number[] = [];
  for (let i = 0; i < 2 * STAGE_CHUNK_STEPS - 1; i++) stageChunk.push(STAGE_PULSE_MS);
  function pumpStage(): void {
    stageTimer = 0;
    if (homing && (!stagePending || !digitalRead(pins.STAGE_HOME))) {
      homing = false;
      stagePending = afterHome;
      afterHome = 0;
    }
    const n = Math.min(STAGE_CHUNK_STEPS, stagePending > 0 ? stagePending : -stagePending);
    if (!n) return;
    digitalWrite(pins.STAGE_DIR, stagePending > 0 ? 1 : 0);
    stagePending -= stagePending > 0 ? n : -n;
    digitalPulse(pins.STAGE_STEP, 1, n === STAGE_CHUNK_STEPS ? stageChunk : stageChunk.slice(0, 2 * n - 1));
    stageTimer = setTimeout(pumpStage, 2 * n * STAGE_PULSE_MS + 1);
  }
  function stageMs(): number {
    const n = (stagePending > 0 ? stagePending : -stagePending) + (afterHome > 0 ? afterHome : -afterHome);
    return n * 2 * STAGE_PULSE_MS + Math.ceil(n / STAGE_CHUNK_STEPS) + (stageTimer ? STAGE_CHUNK_STEPS * 2 * STAGE_PULSE_MS + 1 : 0);
  }
  // cam: STEP frequency ramped by a timer, never a jump the motor cannot follow
  let camHz = 0;
  let camTarget = 0;
  let camTimer: any = 0;
  function camStep(hz: number): void {
    camHz = hz;
    if (hz > 0) analogWrite(pins.DRIVE_PWM, 0.5, { freq: hz });
    else {
      // stepping stops with the winding still energised, so the rotor stops on the field
      // instead of coasting; then the driver is disabled
      digitalWrite(pins.DRIVE_PWM, 0);
      camTimer = setTimeout(function () {
        camTimer = 0;
        if (!camTarget) digitalWrite(pins.DRIVE_PHASE, 0);
      }, CAM_STOP_HOLD_MS);
    }
  }
  function camTick(): void {
    const hz = camRampHz(camHz, camTarget);
    if (hz === camTarget && camTimer) {
      clearInterval(camTimer);
      camTimer = 0;
    }
    camStep(hz);
  }
  function camHalt(): void {
    if (camTimer) clearTimeout(camTimer);
    camTimer = 0;
    camHz = 0;
    camTarget = 0;
  }
  let indexCount = 0;
  let indexFirst = 0;
  let indexLast = 0;
  if (variant === 'stepper') {
    pinMode(pins.STAGE_HOME, 'input_pullup');
    setWatch(
      function (e) {
        if (indexCount === 0) indexFirst = e.time;
        indexLast = e.time;
        indexCount++;
      },
      pins.CAM_INDEX,
      { repeat: true, edge: 'falling' },
    );
  }
  const io: Omit<PenIo, keyof EspruinoServices> = {
    variant: variant,
    board: board,
    strokeStart(rate, push, duty) {
      analogWrite(pins.DRIVE_PWM, duty, { freq: DRIVE_PWM_HZ });
      analogWrite(pins.DRIVE_PHASE, push, { freq: rate });
    },
    strokeDuty(duty) {
      analogWrite(pins.DRIVE_PWM, duty, { freq: DRIVE_PWM_HZ });
    },
    hold(duty) {
      digitalWrite(pins.DRIVE_PHASE, 1);
      analogWrite(pins.DRIVE_PWM, duty, { freq: DRIVE_PWM_HZ });
    },
    camRun(stepFreq) {
      // a stop's hold timer gives way to the new ramp
      if (camTimer && !camHz) {
        clearTimeout(camTimer);
        camTimer = 0;
      }
      const ms = camRampMs(camHz, stepFreq);
      camTarget = stepFreq;
      if (stepFreq > 0) digitalWrite(pins.DRIVE_PHASE, 1);
      if (camHz !== camTarget) {
        camTick();
        if (camHz !== camTarget && !camTimer) camTimer = setInterval(camTick, CAM_RAMP_TICK_MS);
      }
      return ms;
    },
    stageMove(steps) {
      // queued and sent in chunks: a long move never builds a long pulse array in RAM
      if (homing) afterHome += steps;
      else stagePending += steps;
      if (!stageTimer) pumpStage();
      return stageMs();
    },
    stageBusy() {
      return homing || !!stagePending || !!stageTimer;
    },
    stageHome() {
      // back until the switch closes, for the whole travel and a margin: never counted from
      // where the stage should be (a reset, a homing still under way), so a homing always ends
      // at the switch, and one under way goes on; moves asked before it are dropped
      afterHome = 0;
      if (!homing) {
        homing = true;
        stagePending = -(STAGE_TRAVEL_STEPS + STAGE_HOME_MARGIN_STEPS);
      }
      if (!stageTimer) pumpStage();
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
      return getTime() - indexLast;
    },
    driveOff() {
      camHalt();
      digitalWrite(pins.DRIVE_PWM, 0);
      digitalWrite(pins.DRIVE_PHASE, 0);
    },
    sample(rate, strokesPerBlock, onBlock) {
      blockHandler = onBlock;
      if (variant === 'stepper') {
        indexCount = 0;
        indexLast = getTime();
      }
      const freq = (SAMPLES_PER_BLOCK / strokesPerBlock) * rate;
      if (wave.running) {
        pendingFreq = freq;
        wave.stop();
      } else {
        wave.startInput(pins.HALL, freq, { repeat: true });
      }
    },
    sampleStop() {
      blockHandler = undefined;
      pendingFreq = 0;
      if (wave.running) wave.stop();
    },
    capture(fs, n, done, current) {
      // allocated per capture (SERVICE only, ≤ 1 KB): the block buffers stay untouched
      const w = new Waveform(n, { bits: 16 });
      w.on('finish', function (buf) {
        done(buf);
      });
      w.startInput(current ? pins.COIL_I : pins.HALL, fs, { repeat: false });
    },
    hallRaw() {
      return analogRead(pins.HALL);
    },
    raw(channel) {
      return analogRead(channel === RAW_HALL ? pins.HALL : channel === RAW_CURRENT ? pins.COIL_I : channel === RAW_NTC ? pins.COIL_NTC : pins.VSUPPLY);
    },
    homeSwitch() {
      return variant === 'stepper' && !digitalRead(pins.STAGE_HOME);
    },
    coilAmps() {
      return coilAmpsFromAdc(analogRead(pins.COIL_I));
    },
    coilTempC() {
      return ntcCelsiusFromAdc(analogRead(pins.COIL_NTC));
    },
    supplyV() {
      return supplyVoltsFromAdc(analogRead(pins.VSUPPLY));
    },
    cartridgePresent() {
      return !digitalRead(pins.CARTRIDGE);
    },
    led(rgb) {
      digitalWrite(pins.LED_R, rgb & 1);
      digitalWrite(pins.LED_G, (rgb >> 1) & 1);
      digitalWrite(pins.LED_B, (rgb >> 2) & 1);
    },
  };
  return Object.assign(io, espruinoServices) as PenIo;
}
