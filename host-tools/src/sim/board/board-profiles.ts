// The Espruino boards the firmware can run on, as the virtual board models them:
// memory (JsVars), the Storage area, pin names, the console device and timer resolution.

export type BoardId = 'PICO' | 'WIFI' | 'MDBT42Q' | 'ESP32';

export interface BoardProfile {
  id: BoardId;
  /** `process.env.BOARD` */
  envBoard: string;
  /** Total JsVars (`process.memory().total`). */
  jsVars: number;
  /** Bytes per JsVar (`process.memory().blocksize`). */
  bytesPerVar: number;
  /** Storage (flash) area: `storagePages` pages of `storagePageSize` bytes. */
  storagePageSize: number;
  storagePages: number;
  /** Pin names that exist as globals and are accepted as strings. */
  pins: readonly string[];
  /** Extra globals naming pins (LED1 -> 'A13'...). */
  pinAliases: Readonly<Record<string, string>>;
  /** The device the REPL starts on (`E.getConsole()`). */
  consoleDevice: string;
  /** Serial devices present as globals. */
  serialDevices: readonly string[];
  /** Resolution of getTime() and watch time stamps, s. */
  timeResolution: number;
  /** PWM frequency used by analogWrite when no `freq` is given, Hz (our assumption). */
  defaultPwmFreq: number;
}

function range(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(prefix + i);
  return out;
}

const STM32_PINS = [...range('A', 0, 15), ...range('B', 0, 15), ...range('C', 0, 15)];

export const BOARD_PROFILES: Readonly<Record<BoardId, BoardProfile>> = {
  PICO: {
    id: 'PICO', envBoard: 'PICO', jsVars: 5100, bytesPerVar: 13,
    storagePageSize: 16 * 1024, storagePages: 3,
    pins: STM32_PINS, pinAliases: { LED1: 'A13', LED2: 'A14', BTN: 'C13', BTN1: 'C13' },
    consoleDevice: 'USB', serialDevices: ['USB', 'Serial1', 'Serial2'],
    timeResolution: 1e-6, defaultPwmFreq: 1000,
  },
  WIFI: {
    id: 'WIFI', envBoard: 'ESPRUINOWIFI', jsVars: 8190, bytesPerVar: 13,
    storagePageSize: 64 * 1024, storagePages: 1,
    pins: STM32_PINS, pinAliases: { LED1: 'B2', LED2: 'B12', BTN: 'C13', BTN1: 'C13' },
    consoleDevice: 'USB', serialDevices: ['USB', 'Serial1', 'Serial2', 'Serial3'],
    timeResolution: 1e-6, defaultPwmFreq: 1000,
  },
  MDBT42Q: {
    id: 'MDBT42Q', envBoard: 'MDBT42Q', jsVars: 2950, bytesPerVar: 13,
    storagePageSize: 4 * 1024, storagePages: 10,
    pins: range('D', 0, 31), pinAliases: { LED1: 'D1', BTN: 'D0', BTN1: 'D0' },
    consoleDevice: 'Serial1', serialDevices: ['Serial1', 'Bluetooth'],
    timeResolution: 1 / 32768, defaultPwmFreq: 1000,
  },
  ESP32: {
    id: 'ESP32', envBoard: 'ESP32', jsVars: 16383, bytesPerVar: 14,
    storagePageSize: 4 * 1024, storagePages: 224,
    pins: range('D', 0, 39), pinAliases: {},
    consoleDevice: 'Serial1', serialDevices: ['Serial1', 'Serial2', 'Serial3'],
    timeResolution: 1e-6, defaultPwmFreq: 1000,
  },
};

/** Accepts 'PICO' | 'WIFI' | 'ESPRUINOWIFI' | 'MDBT42Q' | 'ESP32' (any case) or a profile. */
export function resolveProfile(p: BoardId | string | BoardProfile | undefined): BoardProfile {
  if (p === undefined) return BOARD_PROFILES.PICO;
  if (typeof p !== 'string') return p;
  const k = p.toUpperCase();
  if (k === 'ESPRUINOWIFI') return BOARD_PROFILES.WIFI;
  const prof = (BOARD_PROFILES as Record<string, BoardProfile>)[k];
  if (!prof) throw new Error(`unknown board profile '${p}'`);
  return prof;
}
