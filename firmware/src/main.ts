// Firmware entry point. Runs at boot from Storage (.bootcde) or when uploaded.
// Picks the board's pin map and the hardware layer, then boots the pen.
import { pinMap, BoardName } from './boards/pin-maps';
import { Pen } from './app/pen';
import { PenIo } from './app/pen-io';
import { readIdentity } from './app/identity';
import { BUILT_DRIVE } from './app/built-drive';
import { RecordStore } from './store/record-store';
import { CALIBRATION_VERSION } from './control/calibration';
import { Handset } from './ui/handset';
import { storageFlash } from './hal/storage-flash';
import { createEspruinoIo } from './hal/espruino-io';
import { createBenchIo, benchCalibration } from './hal/bench-io';
import { watchHandset } from './hal/handset-inputs';
import { attachLink } from './hal/link';

/** Watchdog period, s: the 8 Hz housekeeping tick kicks it. */
const WATCHDOG_S = 1;

function boardKey(board: string): BoardName {
  if (board.indexOf('PICO') >= 0) return 'PICO';
  if (board.indexOf('WIFI') >= 0) return 'WIFI';
  if (board.indexOf('MDBT42') >= 0 || board.indexOf('PUCK') >= 0) return 'MDBT42Q';
  if (board.indexOf('ESP32') >= 0) return 'ESP32';
  return 'PICO';
}

const board = process.env.BOARD;
// the bench build drives no pin: it carries no pin map
const pins = __STIPPLE_PROFILE__ === 'bench' ? (undefined as any) : pinMap(boardKey(board));
const flash = storageFlash();
const identity = readIdentity(flash);
// a variant bundle on the other drive's pen stops here, before any pin is touched: its
// drivers would drive that pen's hardware wrongly (an uncaught error: the REPL stays up to reflash)
if (BUILT_DRIVE && BUILT_DRIVE !== identity.variant) {
  throw new Error('this firmware drives ' + BUILT_DRIVE + ' pens only, this pen is a ' + identity.variant + ' pen: flash stipple-' + (identity.variant === 'stepper' ? 'stepper' : 'voice-coil') + '.js or stipple.js');
}
const store = new RecordStore(flash, E.CRC32);
let io: PenIo;
if (__STIPPLE_PROFILE__ === 'bench') {
  io = createBenchIo(board);
  if (store.load('cal', CALIBRATION_VERSION).status === 'missing') store.save('cal', CALIBRATION_VERSION, benchCalibration(identity.serial));
} else {
  io = createEspruinoIo(pins, identity.variant, board);
}
const pen = new Pen(io, store);
const handset = new Handset(pen);
pen.onTick = function (now) {
  handset.poll(now);
};
if (__STIPPLE_PROFILE__ !== 'bench') {
  watchHandset(
    pins,
    function (name, pressed, time) {
      handset.button(name, pressed, time);
    },
    function (present) {
      pen.cartridge(present);
    },
  );
}
attachLink(pen, identity);
E.enableWatchdog(WATCHDOG_S, false);
pen.boot();
