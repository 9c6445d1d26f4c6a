// The parts of PenIo that are the same on every Espruino build (device and bench):
// the clock, timers, the watchdog and the console.
import { PenIo } from '../app/pen-io';
import { consoleWrite } from './console';

export type EspruinoServices = Pick<PenIo, 'now' | 'every' | 'after' | 'cancel' | 'kickWatchdog' | 'send' | 'convolve'>;

export const espruinoServices: EspruinoServices = {
  now: getTime,
  every(ms, fn) {
    return setInterval(fn, ms);
  },
  after(ms, fn) {
    return setTimeout(fn, ms);
  },
  // the natives themselves: a wrapper function would sit in RAM
  cancel: clearTimeout,
  kickWatchdog: E.kickWatchdog,
  send: consoleWrite,
  convolve: E.convolve,
};
