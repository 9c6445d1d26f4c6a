// The Espruino globals the hardware layer uses (and only the hardware layer: nothing
// outside firmware/src/hal/ and firmware/src/main.ts may touch them).
// Note: no rest parameters, even in declarations (esbuild refuses them for Espruino).

type Pin = string;

interface WatchEvent { state: boolean; time: number; lastTime?: number }
interface WatchOptions { repeat?: boolean; edge?: 'rising' | 'falling' | 'both'; debounce?: number }
interface WaveformOptions { doubleBuffer?: boolean; bits?: 8 | 16 }
interface WaveformStartOptions { time?: number; repeat?: boolean }

declare class Waveform {
  constructor(samples: number, options?: WaveformOptions);
  buffer: Uint16Array;
  buffer2: Uint16Array;
  running: boolean;
  startInput(pin: Pin, freq: number, options?: WaveformStartOptions): void;
  startOutput(pin: Pin, freq: number, options?: WaveformStartOptions): void;
  stop(): void;
  on(event: 'buffer' | 'finish', cb: (buf: Uint16Array) => void): void;
}

interface StorageModule {
  read(name: string, offset?: number, length?: number): string | undefined;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  erase(name: string): void;
  list(pattern?: RegExp): string[];
  getFree(): number;
  compact(): void;
}

interface ConsoleDevice { write(data: string): void }

declare function require(module: 'Storage'): StorageModule;
declare function require(module: string): any;

declare function getTime(): number;
declare function setInterval(fn: () => void, ms: number): number;
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearInterval(id: number): void;
declare function clearTimeout(id: number): void;
declare function setWatch(fn: (e: WatchEvent) => void, pin: Pin, options: WatchOptions): number;
declare function clearWatch(id: number): void;
declare function digitalWrite(pin: Pin, value: boolean | number): void;
declare function digitalRead(pin: Pin): number;
declare function digitalPulse(pin: Pin, value: boolean | number, time: number | number[]): void;
declare function analogWrite(pin: Pin, value: number, options?: { freq?: number }): void;
declare function analogRead(pin: Pin): number;
declare function pinMode(pin: Pin, mode: 'input' | 'input_pullup' | 'input_pulldown' | 'output' | 'analog' | 'af_output'): void;
declare function print(text: string): void;

declare const E: {
  on(event: 'init' | 'kill', cb: () => void): void;
  on(event: 'packet', cb: (data: any) => void): void;
  CRC32(data: string): number;
  sum(arr: ArrayLike<number>): number;
  convolve(a: ArrayLike<number>, b: ArrayLike<number>, offset: number): number;
  variance(arr: ArrayLike<number>, mean: number): number;
  enableWatchdog(seconds: number, isAuto: boolean): void;
  kickWatchdog(): void;
  getErrorFlags(): string[];
  getConsole(): string | undefined;
  reboot?: () => void;
  hwRand(): number;
};

declare const process: {
  env: { VERSION: string; BOARD: string; SERIAL?: string };
  memory(): { free: number; usage: number; total: number };
};

declare const global: { [name: string]: any };
declare function load(file?: string): void;
declare function reset(): void;

/** Build-time constants injected by firmware/build.mjs. */
declare const __STIPPLE_PROFILE__: 'device' | 'bench';
declare const __STIPPLE_FW_VERSION__: string;
declare const __STIPPLE_SCHEMA_FP__: string;
