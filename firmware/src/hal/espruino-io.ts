// The device hardware layer: PenIo on Espruino's globals and the reference hardware
// (docs/hardware.md). Stroke clocks, drive PWM, step trains and Hall sampling are all
// hardware peripherals (analogWrite with freq, digitalPulse, Waveform); JavaScript
// only reconfigures them once per block.
import { PenIo, DriveVariant, RAW_HALL, RAW_CURRENT, RAW_NTC } from '../app/pen-io';
import { PinMap } from '../boards/pin-maps';
import { SAMPLES_PER_BLOCK } from '../control/block-analysis';
import { coilAmpsFromAdc, ntcCelsiusFromAdc, supplyVoltsFromAdc } from './analog-scaling';
import { espruinoServices, EspruinoServices } from './espruino-services';
import { createCamDriver, CamDriver } from './cam-driver';
import { createStageDriver, StageDriver } from './stage-driver';
import { HAS_STEPPER } from '../app/built-drive';

/** H-bridge PWM frequency, Hz (above hearing, within the DRV8876's range). */
export const DRIVE_PWM_HZ = 20000;

export function createEspruinoIo(pins: PinMap, variant: DriveVariant, board: string): PenIo {
  // the natives under names the minifier shortens: a global's name is written out at every
  // call site (Storage: the device bundle must fit the MDBT42Q beside its records)
  const adcRead = analogRead;
  const clock = getTime;
  const pinWrite = digitalWrite;
  const pwmWrite = analogWrite;
  const wave = new Waveform(SAMPLES_PER_BLOCK, { doubleBuffer: true, bits: 16 });
  let blockHandler: ((buf: Uint16Array) => void) | undefined;
  let sampleT0 = 0;
  /** sampling runs (or will, once a stopped Waveform has finished) */
  let sampling = false;
  // a stopped Waveform stays `running` until its 'finish' event: a restart waits for it
  let pendingFreq = 0;
  wave.on('buffer', function (buf) {
    if (blockHandler) blockHandler(buf);
  });
  wave.on('finish', function () {
    if (pendingFreq) {
      const f = pendingFreq;
      pendingFreq = 0;
      sampleT0 = clock();
      wave.startInput(pins.HALL, f, { repeat: true });
    }
  });
  // stepper: the cam motor and the depth stage (docs/hardware.md), each in its own driver
  let cam: (CamDriver & StageDriver) | undefined;
  if (HAS_STEPPER && variant === 'stepper') {
    pinMode(pins.STAGE_HOME, 'input_pullup');
    cam = Object.assign(createCamDriver(pins.DRIVE_PWM, pins.DRIVE_PHASE, pins.CAM_INDEX), createStageDriver(pins.STAGE_STEP, pins.STAGE_DIR, pins.STAGE_HOME));
  }
  const io: Omit<PenIo, keyof EspruinoServices | keyof CamDriver | keyof StageDriver> = {
    driveKind: variant,
    board: board,
    strokeStart(rate, push, duty) {
      pwmWrite(pins.DRIVE_PWM, duty, { freq: DRIVE_PWM_HZ });
      pwmWrite(pins.DRIVE_PHASE, push, { freq: rate });
    },
    strokeDuty(duty) {
      pwmWrite(pins.DRIVE_PWM, duty, { freq: DRIVE_PWM_HZ });
    },
    hold(duty) {
      pinWrite(pins.DRIVE_PHASE, 1);
      pwmWrite(pins.DRIVE_PWM, duty, { freq: DRIVE_PWM_HZ });
    },
    driveOff() {
      if (cam) cam.camOff();
      pinWrite(pins.DRIVE_PWM, 0);
      pinWrite(pins.DRIVE_PHASE, 0);
    },
    sample(rate, strokesPerBlock, onBlock) {
      blockHandler = onBlock;
      if (cam) cam.indexRestart();
      const freq = (SAMPLES_PER_BLOCK / strokesPerBlock) * rate;
      if (wave.running) {
        pendingFreq = freq;
        if (sampling) wave.stop();
      } else {
        sampleT0 = clock();
        wave.startInput(pins.HALL, freq, { repeat: true });
      }
      sampling = true;
    },
    sampleStop() {
      blockHandler = undefined;
      pendingFreq = 0;
      // stopped once is enough: it stays `running` until its 'finish' event
      if (sampling && wave.running) wave.stop();
      sampling = false;
    },
    sampleT0() {
      return sampleT0;
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
      return adcRead(pins.HALL);
    },
    raw(channel) {
      return adcRead(channel === RAW_HALL ? pins.HALL : channel === RAW_CURRENT ? pins.COIL_I : channel === RAW_NTC ? pins.COIL_NTC : pins.VSUPPLY);
    },
    homeSwitch() {
      return variant === 'stepper' && !digitalRead(pins.STAGE_HOME);
    },
    coilAmps() {
      return coilAmpsFromAdc(adcRead(pins.COIL_I));
    },
    coilTempC() {
      return ntcCelsiusFromAdc(adcRead(pins.COIL_NTC));
    },
    supplyV() {
      return supplyVoltsFromAdc(adcRead(pins.VSUPPLY));
    },
    cartridgePresent() {
      return !digitalRead(pins.CARTRIDGE);
    },
    led(rgb) {
      pinWrite(pins.LED_R, rgb & 1);
      pinWrite(pins.LED_G, (rgb >> 1) & 1);
      pinWrite(pins.LED_B, (rgb >> 2) & 1);
    },
  };
  return Object.assign(io, espruinoServices, cam) as PenIo;
}
