// The virtual Espruino board: runs the unmodified firmware bundle (from its Storage,
// as `.bootcde`) in a fresh Node vm context per boot, on deterministic virtual time,
// with the hardware around the MCU behind a HardwareModel.
//
// Time model: JavaScript takes no virtual time. The board advances the hardware model
// to each instant where something happens (a timer, a Waveform sample, a console byte,
// a debounce timeout) and at least every `maxStep` (default 1 ms) so that input edges
// are collected; edge callbacks then run at the end of that step with the edge's own
// time stamp, as Espruino runs watch callbacks from its idle loop. Callbacks run one at
// a time, to completion, in time order (ties in the order they were queued).

import * as vm from 'vm';
import { BoardProfile, BoardId, resolveProfile } from './board-profiles';
import { ConsoleInterpreter, ConsoleServices, EvalResult } from './console-port';
import { crc32 } from './crc32';
import { BOOTSTRAP_SOURCE, Dispatch, Natives, removalSource } from './espruino-globals';
import { EventKind, EventQueue, QueuedEvent } from './event-queue';
import { FlashStorage, PowerLossError, StorageError, stringToBytes } from './flash-storage';
import type { HardwareModel } from './hardware-model';
import { MemoryEstimator } from './memory-estimate';
import { detokenise } from './pretokenised';
import { SeededRng } from './rng';
import { ConsoleLink } from './uart-link';
import { formatPrintArgs, formatValue, toJS } from './value-format';
import { Watch, WatchManager } from './watches';
import { WaveTask, WaveformEngine } from './waveform';

export interface VirtualBoardOptions {
  /** 'PICO' (default), 'WIFI'/'ESPRUINOWIFI', 'MDBT42Q', 'ESP32', or a profile object. */
  profile?: BoardId | string | BoardProfile;
  hardware: HardwareModel;
  /** Console link: baud rate for the host -> board byte timing (default 115200). */
  serial?: { baud?: number };
  /** Seed of every random choice (Math.random in the firmware, link faults). Default 1. */
  seed?: number;
  /** Longest hardware step without looking at input edges, s. Default 0.001. */
  maxStep?: number;
  /** Packet timeout, s. Default 2 (2v25). */
  packetTimeout?: number;
  /** process.env.VERSION. Default '2v25'. */
  version?: string;
  /** Use this flash instead of a new, erased one (e.g. to move a Storage image between boards). */
  storage?: FlashStorage;
  /** JsVars the interpreter itself uses at boot (added to the memory estimate). Default 60. */
  memoryBaseline?: number;
}

export type ResetReason = 'power-on' | 'reset' | 'watchdog' | 'reboot' | 'load' | 'soft-reset' | 'power-off' | 'power-loss';

export interface ResetRecord {
  time: number;
  reason: ResetReason;
}

export interface UncaughtErrorRecord {
  time: number;
  /** as printed after "Uncaught " */
  message: string;
  error: unknown;
}

export interface PinInfo {
  mode: string;
  manual: boolean;
  value: boolean;
  freq: number;
  duty: number;
}

interface TimerRec {
  id: number;
  fn: unknown;
  args: unknown[] | undefined;
  interval: number;
  /** intervals: next time = base + k * interval (no accumulated rounding) */
  base: number;
  k: number;
  ev: QueuedEvent;
}

const PIN_MODES = new Set(['analog', 'input', 'input_pullup', 'input_pulldown', 'output', 'opendrain', 'af_output', 'af_opendrain', 'opendrain_pullup', 'auto']);
const OUTPUT_MODES = new Set(['output', 'opendrain', 'af_output', 'af_opendrain', 'opendrain_pullup']);

const DRAIN = new vm.Script('');

export class VirtualBoard {
  readonly profile: BoardProfile;
  readonly hardware: HardwareModel;
  readonly storage: FlashStorage;
  /** Host side of the console (USB on the Pico). */
  readonly console: ConsoleLink;
  readonly resets: ResetRecord[] = [];
  readonly uncaughtErrors: UncaughtErrorRecord[] = [];
  /** Counters for profiling and tests. */
  readonly stats = { events: 0, callbacks: 0, samples: 0, hardwareAdvances: 0 };
  readonly version: string;
  maxStep: number;

  private readonly seed: number;
  private readonly linkRng: SeededRng;
  private rng: SeededRng;
  private readonly queue = new EventQueue();
  private readonly pinSet: Set<string>;
  private readonly memoryBaseline: number;
  private readonly packetTimeout: number;
  private hwTime = 0;
  private isPowered = false;
  private running = false;
  private dispatching = 0;
  private dead = false;
  private pendingAction: 'reset' | 'load' | 'reboot' | null = null;
  private bootCount = 0;

  // per-boot state
  private ctx: vm.Context | null = null;
  private D: Dispatch | null = null;
  private cx: { Error: ErrorConstructor; TypeError: ErrorConstructor } | null = null;
  private interp: ConsoleInterpreter | null = null;
  private timers = new Map<number, TimerRec>();
  private watches: WatchManager;
  private waves: WaveformEngine;
  private pins = new Map<string, PinInfo>();
  private pulseEnd = new Map<string, number>();
  private errorFlags = new Set<string>();
  private wd: { timeout: number; auto: boolean; deadline: number; ev: QueuedEvent | null } | null = null;
  private consoleDevice: string;
  private outBuf: string[] = [];
  private builtins = new Set<object>();
  private baselineGlobals = new Set<string>();
  private baselineProps = new Map<object, Set<string>>();

  constructor(opts: VirtualBoardOptions) {
    this.profile = resolveProfile(opts.profile);
    this.hardware = opts.hardware;
    this.version = opts.version ?? '2v25';
    this.seed = opts.seed ?? 1;
    this.maxStep = opts.maxStep ?? 1e-3;
    this.packetTimeout = opts.packetTimeout ?? 2;
    this.memoryBaseline = opts.memoryBaseline ?? 60;
    this.storage = opts.storage ?? new FlashStorage(this.profile.storagePageSize, this.profile.storagePages);
    this.storage.onPowerLoss = () => this.onPowerLoss();
    this.linkRng = new SeededRng(this.seed ^ 0x5eed11);
    this.rng = new SeededRng(this.seed);
    this.pinSet = new Set(this.profile.pins);
    this.consoleDevice = this.profile.consoleDevice;
    this.console = new ConsoleLink(this.linkRng, opts.serial?.baud ?? 115200, {
      now: () => this.hwTime,
      listening: () => this.isPowered,
      scheduleByte: (t, b) => { this.queue.add(t, EventKind.ConsoleByte, null, b); },
    });
    this.watches = this.makeWatches();
    this.waves = this.makeWaves();
  }

  // ================================================================ public API

  /** Virtual time, s. */
  get now(): number {
    return this.hwTime;
  }

  get powered(): boolean {
    return this.isPowered;
  }

  /** The firmware's global object (for tests and inspection), or null when off. */
  get global(): Record<string, unknown> | null {
    return this.ctx ? (vm.runInContext('globalThis', this.ctx) as Record<string, unknown>) : null;
  }

  /** Power on and boot from Storage. No-op if already on. */
  powerOn(): void {
    if (this.isPowered) return;
    this.isPowered = true;
    this.dead = false;
    this.boot('power-on', true);
  }

  /** Cut the power: everything in RAM is lost, Storage stays. */
  powerOff(): void {
    if (!this.isPowered) return;
    this.isPowered = false;
    this.teardown();
    this.hardware.mcuReset();
    this.resets.push({ time: this.hwTime, reason: this.dead ? 'power-loss' : 'power-off' });
  }

  /** Hardware reset (reset button): boots again from Storage. Powers on if off. */
  reset(): void {
    if (!this.isPowered) return this.powerOn();
    this.boot('reset', true);
  }

  /** Run until virtual time t (s). */
  runUntil(t: number): void {
    if (this.running) throw new Error('VirtualBoard.runUntil is not re-entrant (called from a listener?)');
    this.running = true;
    try {
      for (;;) {
        this.processDue();
        if (this.hwTime >= t) break;
        if (!this.isPowered) {
          this.hwAdvance(t);
          this.queue.clear();
          break;
        }
        const target = Math.min(t, this.queue.peekTime(), this.hwTime + this.maxStep);
        this.advanceTo(target);
      }
    } finally {
      this.running = false;
    }
  }

  runFor(dt: number): void {
    this.runUntil(this.hwTime + dt);
  }

  /**
   * Evaluate code in the firmware's global scope at the current time, as if typed at a
   * REPL that echoes nothing (host convenience for tests). Throws what the code throws;
   * returns undefined if injected power loss cut the code short (the board is then off).
   */
  evaluate(code: string): unknown {
    if (!this.ctx) throw new Error('board is off');
    this.dispatching++;
    try {
      return vm.runInContext(code, this.ctx, { filename: 'host' });
    } catch (e) {
      if (e instanceof PowerLossError || this.dead) return undefined;
      throw e;
    } finally {
      this.dispatching--;
      this.afterEvent();
    }
  }

  /** What the board last drove onto a pin (undefined if untouched since boot). */
  pinState(pin: string): PinInfo | undefined {
    const p = this.pins.get(pin);
    return p ? { ...p } : undefined;
  }

  /** The memory estimate process.memory() reports, in JsVars. */
  memory(): { usage: number; total: number; free: number } {
    const total = this.profile.jsVars;
    const usage = this.ctx ? this.estimateUsage() : 0;
    return { usage, total, free: Math.max(0, total - usage) };
  }

  /** Number of pending timers / watches / running waveforms (inspection). */
  get activity(): { timers: number; watches: number; waveforms: number } {
    return { timers: this.timers.size, watches: this.watches.count, waveforms: this.waves.active.length };
  }

  // ================================================================ boot

  private teardown(): void {
    this.queue.clear();
    this.timers.clear();
    this.watches = this.makeWatches();
    this.waves = this.makeWaves();
    this.pins.clear();
    this.pulseEnd.clear();
    this.errorFlags.clear();
    this.wd = null;
    this.pendingAction = null;
    this.ctx = null;
    this.D = null;
    this.cx = null;
    this.interp = null;
    this.outBuf = [];
    this.consoleDevice = this.profile.consoleDevice;
    this.console.resetLine();
  }

  private boot(reason: ResetReason, runStorage: boolean): void {
    if (reason !== 'power-on') this.hardware.mcuReset();
    this.teardown();
    this.resets.push({ time: this.hwTime, reason });
    this.bootCount++;
    this.rng = new SeededRng((this.seed + Math.imul(this.bootCount, 0x9e3779b1)) >>> 0);
    this.createContext();
    this.dispatching++;
    try {
      if (runStorage) {
        for (const f of ['.boot0', '.boot1', '.boot2', '.boot3', '.bootcde']) {
          if (!this.ctx || this.dead) break;
          const code = this.storage.read(f);
          if (code === undefined) continue;
          this.guard(() => new vm.Script(detokenise(code), { filename: f }).runInContext(this.ctx!));
        }
        if (this.ctx && !this.dead) this.guard(() => this.D!.emit(this.D!.E, 'init'));
        if (this.ctx && !this.dead) {
          const g = this.global!;
          const onInit = g.onInit;
          if (typeof onInit === 'function') this.guard(() => (onInit as () => void)());
        }
      }
    } finally {
      this.dispatching--;
    }
    this.afterEvent();
  }

  private createContext(): void {
    const ctx = vm.createContext({}, { name: `espruino-${this.profile.id}`, microtaskMode: 'afterEvaluate', codeGeneration: { strings: true, wasm: false } });
    // V8's console is replaced by Espruino's in the bootstrap
    const env = vm.runInContext('({})', ctx) as Record<string, unknown>;
    Object.assign(env, {
      VERSION: this.version, BOARD: this.profile.envBoard, CONSOLE: this.profile.consoleDevice,
      RAM: this.profile.jsVars * this.profile.bytesPerVar, FLASH: this.storage.size, SERIAL: '00000000-00000000', EXPTR: 0,
    });
    const pins = vm.runInContext('[]', ctx) as string[];
    for (const p of this.profile.pins) pins.push(p);
    const aliases = vm.runInContext('({})', ctx) as Record<string, string>;
    Object.assign(aliases, this.profile.pinAliases);
    const serials = vm.runInContext('[]', ctx) as string[];
    for (const s of this.profile.serialDevices) serials.push(s);
    const boot = vm.runInContext(BOOTSTRAP_SOURCE, ctx, { filename: 'espruino-bootstrap' }) as (...a: unknown[]) => Dispatch;
    this.D = boot(this.makeNatives(), pins, aliases, serials, env);
    vm.runInContext(removalSource(), ctx);
    this.cx = vm.runInContext('({ Error: Error, TypeError: TypeError })', ctx) as { Error: ErrorConstructor; TypeError: ErrorConstructor };
    this.ctx = ctx;
    this.interp = new ConsoleInterpreter(this.consoleServices());
    this.interp.packetTimeout = this.packetTimeout;
    this.recordBaseline();
  }

  private recordBaseline(): void {
    const g = this.global!;
    this.builtins = new Set();
    this.baselineGlobals = new Set(Object.getOwnPropertyNames(g));
    this.baselineProps = new Map();
    const addObj = (o: unknown, depth: number) => {
      if ((typeof o !== 'object' && typeof o !== 'function') || o === null || this.builtins.has(o as object)) return;
      this.builtins.add(o as object);
      if (depth <= 0) return;
      for (const k of Object.getOwnPropertyNames(o)) {
        const d = Object.getOwnPropertyDescriptor(o, k);
        if (d && 'value' in d) addObj(d.value, depth - 1);
      }
      addObj(Object.getPrototypeOf(o), depth - 1);
    };
    for (const k of this.baselineGlobals) {
      const d = Object.getOwnPropertyDescriptor(g, k);
      if (!d || !('value' in d)) continue;
      const v = d.value as unknown;
      addObj(v, 2);
      if ((typeof v === 'object' || typeof v === 'function') && v !== null) this.baselineProps.set(v as object, new Set(Object.getOwnPropertyNames(v)));
    }
    this.builtins.add(g);
  }

  // ================================================================ event loop

  private processDue(): void {
    while (this.isPowered) {
      if (this.queue.peekTime() > this.hwTime) return;
      const ev = this.queue.pop()!;
      if (ev.cancelled) continue;
      this.stats.events++;
      this.dispatching++;
      try {
        this.dispatch(ev);
      } catch (e) {
        if (!(e instanceof PowerLossError)) throw e;
      } finally {
        this.dispatching--;
      }
      this.afterEvent();
    }
  }

  private afterEvent(): void {
    if (this.dispatching > 0) return;
    if (this.ctx) {
      try {
        DRAIN.runInContext(this.ctx);
      } catch (e) {
        if (!(e instanceof PowerLossError)) this.reportError(e);
      }
    }
    if (this.dead) {
      this.flushOutput();
      this.powerOff();
      return;
    }
    const act = this.pendingAction;
    if (act) {
      this.pendingAction = null;
      this.flushOutput();
      if (act === 'reboot') this.boot('reboot', true);
      else {
        // reset()/load(): 'kill' first, then a fresh interpreter; reset() does not run Storage code
        this.dispatching++;
        try {
          this.guard(() => this.D!.emit(this.D!.E, 'kill'));
        } finally {
          this.dispatching--;
        }
        this.softBoot(act === 'load');
      }
      return;
    }
    if (this.interp && this.consoleDevice === this.profile.consoleDevice) this.interp.returnInputLine();
    this.flushOutput();
  }

  private softBoot(runStorage: boolean): void {
    // a soft reset keeps the hardware as it is, like Espruino's reset()/load()
    this.teardown();
    this.resets.push({ time: this.hwTime, reason: runStorage ? 'load' : 'soft-reset' });
    this.createContext();
    if (runStorage) {
      this.dispatching++;
      try {
        const code = this.storage.read('.bootcde');
        if (code !== undefined) this.guard(() => new vm.Script(detokenise(code), { filename: '.bootcde' }).runInContext(this.ctx!));
        if (this.ctx && !this.dead) this.guard(() => this.D!.emit(this.D!.E, 'init'));
        const onInit = this.ctx ? this.global!.onInit : undefined;
        if (typeof onInit === 'function') this.guard(() => (onInit as () => void)());
      } finally {
        this.dispatching--;
      }
    }
    this.afterEvent();
  }

  private dispatch(ev: QueuedEvent): void {
    switch (ev.kind) {
      case EventKind.Timer: {
        const rec = ev.ref as TimerRec;
        if (rec.interval > 0) {
          ev.time = rec.base + ++rec.k * rec.interval;
          this.queue.push(ev);
        } else this.timers.delete(rec.id);
        this.invoke(rec.fn, rec.args);
        break;
      }
      case EventKind.WatchEdge:
        this.watches.onEdge(ev.ref as string, ev.time, ev.num === 1);
        break;
      case EventKind.WatchDebounce:
        this.watches.onDebounce(ev);
        break;
      case EventKind.ConsoleByte:
        this.consoleByte(ev.num);
        break;
      case EventKind.WaveformBuffer: {
        const task = ev.ref as WaveTask;
        this.stats.callbacks++;
        this.guard(() => this.D!.emit(task.wf, 'buffer', task.bufs[ev.num]));
        break;
      }
      case EventKind.WaveformFinish: {
        const task = ev.ref as WaveTask;
        this.stats.callbacks++;
        this.guard(() => this.D!.wfFinish(task.wf));
        break;
      }
      case EventKind.Watchdog: {
        const wd = this.wd;
        if (!wd || wd.ev !== ev) break;
        if (wd.deadline > this.hwTime) {
          ev.time = wd.deadline;
          this.queue.push(ev);
          break;
        }
        this.boot('watchdog', true);
        break;
      }
      case EventKind.PacketTimeout:
        this.interp?.packetTimedOut();
        break;
      case EventKind.FileTimeout:
        this.interp?.fileTimedOut();
        break;
    }
  }

  /** Advance the hardware to `target`, taking Waveform samples on the way; stops early when a buffer completes. */
  private advanceTo(target: number): void {
    const waves = this.waves;
    for (;;) {
      const ts = waves.nextTime;
      if (ts <= target) {
        if (ts > this.hwTime) this.hwAdvance(ts);
        this.stats.samples++;
        if (waves.sampleDue(ts)) return;
      } else {
        this.hwAdvance(target);
        return;
      }
    }
  }

  private hwAdvance(t: number): void {
    if (t <= this.hwTime) return;
    const prev = this.hwTime;
    this.stats.hardwareAdvances++;
    const edges = this.hardware.advance(t);
    this.hwTime = t;
    if (!this.isPowered) return;
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i]!;
      if (this.watches.isWatched(e.pin)) this.queue.add(e.time > prev ? e.time : prev, EventKind.WatchEdge, e.pin, e.value ? 1 : 0);
    }
  }

  /** Run a firmware callback, reporting what escapes it. */
  private invoke(fn: unknown, args: unknown[] | undefined): void {
    this.stats.callbacks++;
    this.guard(() => (args ? Function.prototype.apply.call(fn as () => void, undefined, args) : (fn as () => void)()));
  }

  private guard(f: () => unknown): void {
    try {
      f();
    } catch (e) {
      if (e instanceof PowerLossError || this.dead) return;
      this.reportError(e);
    }
  }

  private describeError(e: unknown): string {
    if (e !== null && typeof e === 'object' && 'message' in e) {
      const o = e as { name?: unknown; message?: unknown };
      const name = typeof o.name === 'string' ? o.name : 'Error';
      return `${name}: ${String(o.message)}`;
    }
    return formatValue(e);
  }

  private reportError(e: unknown): void {
    if (e instanceof PowerLossError) return;
    const D = this.D;
    if (D && D.hasListeners(D.process, 'uncaughtException')) {
      try {
        D.emit(D.process, 'uncaughtException', e);
        return;
      } catch (e2) {
        e = e2;
      }
    }
    const message = this.describeError(e);
    this.uncaughtErrors.push({ time: this.hwTime, message, error: e });
    this.consolePrint(`Uncaught ${message}\n`);
  }

  // ================================================================ console

  private consoleByte(b: number): void {
    if (this.consoleDevice !== this.profile.consoleDevice) {
      // the REPL was moved away (E.setConsole): bytes go to the device's 'data' listeners
      const dev = this.D!.serialObject(this.profile.consoleDevice);
      this.guard(() => this.D!.emit(dev, 'data', String.fromCharCode(b)));
      return;
    }
    try {
      this.interp!.handleByte(b);
    } catch (e) {
      if (!(e instanceof PowerLossError)) throw e;
    }
  }

  /** Text from print()/console.log/errors to wherever the REPL is. */
  private consolePrint(s: string): void {
    if (this.consoleDevice !== this.profile.consoleDevice) return;
    if (this.interp) this.interp.print(s);
  }

  private out(s: string): void {
    this.outBuf.push(s);
  }

  private flushOutput(): void {
    if (this.outBuf.length === 0) return;
    const s = this.outBuf.join('');
    this.outBuf = [];
    if (!this.isPowered && !this.dead) return;
    this.console.deliver(stringToBytes(s));
  }

  private consoleServices(): ConsoleServices {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const board = this;
    return {
      out: (s) => this.out(s),
      evaluate: (code, filename): EvalResult => {
        try {
          return { ok: true, value: vm.runInContext(detokenise(code), this.ctx!, { filename }) };
        } catch (error) {
          if (error instanceof PowerLossError) throw error;
          return { ok: false, error };
        }
      },
      reportError: (e) => this.reportError(e),
      parseJson: (t) => this.D!.parseJson(t),
      emitPacket: (obj) => {
        const D = this.D!;
        if (!D.hasListeners(D.E, 'packet')) return false;
        this.stats.callbacks++;
        this.guard(() => D.emit(D.E, 'packet', obj));
        return true;
      },
      storageWrite: (name, data, offset, size) => {
        this.storage.write(name, data, offset, size);
      },
      storageRead: (name) => this.storage.readBytes(name),
      setTimeout: (kind, seconds) => {
        const ev = this.queue.add(this.hwTime + seconds, kind === 'packet' ? EventKind.PacketTimeout : EventKind.FileTimeout);
        return () => { ev.cancelled = true; };
      },
      get version() { return board.version; },
      get boardName() { return board.profile.envBoard; },
    };
  }

  // ================================================================ natives

  private err(msg: string): Error {
    return new this.cx!.Error(msg);
  }

  private checkAlive(): void {
    if (this.dead) throw new PowerLossError();
  }

  private pin(name: string): PinInfo {
    if (!this.pinSet.has(name)) throw this.err(`Invalid pin: ${name}`);
    let p = this.pins.get(name);
    if (!p) {
      p = { mode: 'input', manual: false, value: false, freq: 0, duty: 0 };
      this.pins.set(name, p);
    }
    return p;
  }

  private syncHardware(): void {
    // JS runs at hwTime: the model is already there. Kept as the one place to change if JS ever takes time.
  }

  private quantise(t: number): number {
    const r = this.profile.timeResolution;
    return Math.floor(t / r + 1e-9) * r;
  }

  private makeWatches(): WatchManager {
    return new WatchManager({
      queue: this.queue,
      readPin: (pin) => this.hardware.digitalIn(pin),
      fire: (w: Watch, state, time, lastTime) => {
        this.stats.callbacks++;
        this.guard(() => this.D!.watchEvent(w.fn, state, time, lastTime, w.pin));
      },
      quantise: (t) => this.quantise(t),
    });
  }

  private makeWaves(): WaveformEngine {
    return new WaveformEngine({
      queue: this.queue,
      analogIn: (pin) => this.hardware.analogIn(pin),
      pwmOut: (pin, duty, freq) => this.hardware.setPinDrive(pin, { kind: 'pwm', duty, freq }),
    });
  }

  private bytesOf(d: unknown): Uint8Array {
    if (typeof d === 'string') return stringToBytes(d);
    if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
    if (Object.prototype.toString.call(d) === '[object ArrayBuffer]') return new Uint8Array(d as ArrayBuffer).slice();
    if (Array.isArray(d)) return Uint8Array.from(d as number[], (x) => Number(x) & 255);
    if (d === undefined || d === null) return new Uint8Array(0);
    return stringToBytes(String(d));
  }

  private storageCall<T>(f: () => T): T {
    this.checkAlive();
    try {
      return f();
    } catch (e) {
      if (e instanceof StorageError) throw this.err(e.message);
      throw e;
    }
  }

  private makeNatives(): Natives {
    const hw = this.hardware;
    return {
      dw: (pin, v) => {
        this.checkAlive();
        const p = this.pin(pin);
        p.value = v === 1;
        if (!p.manual) p.mode = 'output';
        if (OUTPUT_MODES.has(p.mode)) {
          this.syncHardware();
          hw.setPinDrive(pin, { kind: 'digital', value: p.value });
        }
      },
      dr: (pin) => {
        this.checkAlive();
        const p = this.pin(pin);
        this.syncHardware();
        if (!p.manual && p.mode !== 'input') {
          p.mode = 'input';
          hw.setPinDrive(pin, { kind: 'input' });
        }
        return hw.digitalIn(pin) ? 1 : 0;
      },
      pm: (pin, mode) => {
        this.checkAlive();
        if (!PIN_MODES.has(mode)) throw this.err(`Unknown pin mode: ${mode}`);
        const p = this.pin(pin);
        p.manual = mode !== 'auto';
        if (mode === 'auto') return;
        p.mode = mode;
        this.syncHardware();
        hw.setPinDrive(pin, OUTPUT_MODES.has(mode) ? { kind: 'digital', value: p.value } : { kind: 'input' });
      },
      gpm: (pin) => this.pin(pin).mode,
      aw: (pin, duty, freq) => {
        this.checkAlive();
        const p = this.pin(pin);
        const d = duty < 0 ? 0 : duty > 1 ? 1 : duty || 0;
        p.freq = freq > 0 ? freq : this.profile.defaultPwmFreq;
        p.duty = d;
        if (!p.manual) p.mode = 'af_output';
        this.syncHardware();
        hw.setPinDrive(pin, { kind: 'pwm', duty: d, freq: p.freq });
      },
      ar: (pin) => {
        this.checkAlive();
        const p = this.pin(pin);
        this.syncHardware();
        if (!p.manual && p.mode !== 'analog') {
          p.mode = 'analog';
          hw.setPinDrive(pin, { kind: 'input' });
        }
        let q = Math.floor(hw.analogIn(pin) * 4096);
        if (q < 0) q = 0; else if (q > 4095) q = 4095;
        return q / 4096;
      },
      dp: (pin, value, times) => {
        this.checkAlive();
        const p = this.pin(pin);
        const ms: number[] = [];
        let sum = 0;
        for (let i = 0; i < times.length; i++) {
          const t = Number(times[i]);
          if (!(t >= 0)) throw this.err('Pulse length must be >= 0');
          ms.push(t);
          sum += t;
        }
        if (sum === 0) return; // digitalPulse(pin, v, 0) waits for earlier pulses: JS takes no time here
        const start = Math.max(this.hwTime, this.pulseEnd.get(pin) ?? 0);
        this.syncHardware();
        if (!OUTPUT_MODES.has(p.mode)) {
          if (!p.manual) p.mode = 'output';
          hw.setPinDrive(pin, { kind: 'digital', value: value !== 1 });
        }
        hw.pulseTrain(pin, value === 1, start, ms);
        this.pulseEnd.set(pin, start + sum / 1000);
        p.value = ms.length % 2 === 0 ? value === 1 : value !== 1;
      },
      st: (fn, ms, args, interval) => {
        this.checkAlive();
        if (!(ms >= 0.1)) ms = 0.1;
        let id = 1;
        for (const k of this.timers.keys()) if (k >= id) id = k + 1;
        const rec: TimerRec = { id, fn, args: args as unknown[] | undefined, interval: interval ? ms / 1000 : 0, base: this.hwTime, k: 1, ev: null as unknown as QueuedEvent };
        rec.ev = this.queue.add(this.hwTime + ms / 1000, EventKind.Timer, rec);
        this.timers.set(id, rec);
        return id;
      },
      ct: (id?: unknown) => {
        if (id === undefined) {
          for (const r of this.timers.values()) r.ev.cancelled = true;
          this.timers.clear();
          return;
        }
        const r = this.timers.get(Number(id));
        if (r) {
          r.ev.cancelled = true;
          this.timers.delete(r.id);
        }
      },
      ci: (id, ms) => {
        const r = this.timers.get(Number(id));
        if (!r) throw this.err('Unknown Interval');
        if (!(ms >= 0.1)) ms = 0.1;
        r.ev.cancelled = true;
        if (r.interval > 0) r.interval = ms / 1000;
        r.base = this.hwTime;
        r.k = 1;
        r.ev = this.queue.add(this.hwTime + ms / 1000, EventKind.Timer, r);
      },
      sw: (fn, pin, repeat, edge, debounce) => {
        this.checkAlive();
        const p = this.pin(pin);
        this.syncHardware();
        if (!p.manual && OUTPUT_MODES.has(p.mode) === false && p.mode !== 'input') {
          p.mode = 'input';
          hw.setPinDrive(pin, { kind: 'input' });
        }
        return this.watches.add(fn, pin, repeat, edge, debounce);
      },
      cw: (id?: unknown) => (id === undefined ? this.watches.clear() : this.watches.clear(Number(id))),
      gt: () => this.quantise(this.hwTime),
      nowMs: () => Math.floor(this.quantise(this.hwTime) * 1000),
      pr: (args) => this.consolePrint(formatPrintArgs(args) + '\n'),
      ser: (dev, s) => {
        if (dev === this.consoleDevice) {
          if (dev === this.profile.consoleDevice) this.out(s);
          // other devices (pins of a UART) are not modelled
        }
      },
      getCon: () => this.consoleDevice,
      setCon: (dev) => {
        if (!this.profile.serialDevices.includes(dev) && dev !== 'null') throw this.err(`Unknown console device ${dev}`);
        this.consoleDevice = dev;
      },
      echo: (on) => {
        if (this.interp) this.interp.echoOff = !on;
      },
      crc: (d) => crc32(this.bytesOf(d)),
      wde: (timeout, auto) => {
        const t = timeout > 0 ? timeout : 1;
        if (this.wd?.ev) this.wd.ev.cancelled = true;
        this.wd = { timeout: t, auto, deadline: this.hwTime + t, ev: null };
        // with isAuto the idle loop kicks it; JS takes no virtual time here, so it never fires
        if (!auto) this.wd.ev = this.queue.add(this.wd.deadline, EventKind.Watchdog);
      },
      wdk: () => {
        if (this.wd) this.wd.deadline = this.hwTime + this.wd.timeout;
      },
      ef: () => {
        const s = [...this.errorFlags].join(',');
        this.errorFlags.clear();
        return s;
      },
      reset: (kind) => {
        this.pendingAction = kind === 'reboot' ? 'reboot' : kind === 'load' ? 'load' : 'reset';
      },
      mem: () => {
        const total = this.profile.jsVars;
        const usage = this.estimateUsage();
        if (usage > total) this.errorFlags.add('MEMORY');
        return [Math.max(0, total - usage), usage, total, 0, 0, 0, this.profile.bytesPerVar].join(',');
      },
      sizeOf: (v) => new MemoryEstimator(this.builtins).value(v) + 1,
      toJS: (v) => toJS(v),
      rnd: () => this.rng.next(),
      wfStart: (wf, b1, b2, pin, freq, out, time, repeat, is16) => {
        this.checkAlive();
        const p = this.pin(pin);
        const start = time > 0 ? Math.max(this.hwTime, time) : this.hwTime;
        this.syncHardware();
        if (!out && !p.manual) {
          p.mode = 'analog';
          hw.setPinDrive(pin, { kind: 'input' });
        }
        this.waves.start({
          wf, bufs: [b1 as WaveTask['bufs'][0], (b2 ?? null) as WaveTask['bufs'][1]], is16, input: !out, pin,
          start, period: 1 / freq, repeat, pwmFreq: p.freq || this.profile.defaultPwmFreq,
        });
      },
      wfStop: (wf) => {
        if (!this.waves.stop(wf, this.hwTime)) throw this.err("Waveform couldn't be stopped");
      },
      stRead: (name, off, len) => this.storageCall(() => this.storage.read(String(name), off === undefined ? 0 : Number(off), len === undefined ? undefined : Number(len))),
      stWrite: (name, data, off, size) =>
        this.storageCall(() => this.storage.write(String(name), this.bytesOf(data), off === undefined ? 0 : Number(off), size === undefined ? undefined : Number(size))),
      stErase: (name) => this.storageCall(() => this.storage.erase(String(name))),
      stEraseAll: () => this.storageCall(() => this.storage.eraseAll()),
      stList: () => this.storageCall(() => this.storage.list().join('\u0000')),
      stFree: () => this.storageCall(() => this.storage.getFree()),
      stStats: () => {
        const s = this.storage.getStats();
        return [s.totalBytes, s.freeBytes, s.fileBytes, s.fileCount, s.trashBytes, s.trashCount].join(',');
      },
      stCompact: () => this.storageCall(() => this.storage.compact()),
    };
  }

  // ================================================================ memory estimate

  private estimateUsage(): number {
    const g = this.global;
    if (!g) return 0;
    const est = new MemoryEstimator(this.builtins);
    let n = this.memoryBaseline;
    for (const k of Object.getOwnPropertyNames(g)) {
      const d = Object.getOwnPropertyDescriptor(g, k);
      if (!d) continue;
      const v = 'value' in d ? (d.value as unknown) : undefined;
      if (this.baselineGlobals.has(k)) {
        const base = v !== null && (typeof v === 'object' || typeof v === 'function') ? this.baselineProps.get(v as object) : undefined;
        if (base) n += est.addedProps(v as object, base);
        continue;
      }
      n += 2 + (k.length > 4 ? Math.ceil((k.length - 4) / 10) : 0) + est.value(v);
    }
    for (const t of this.timers.values()) n += 4 + est.value(t.fn) + est.value(t.args);
    for (const w of this.watches.list()) n += 6 + est.value(w.fn);
    for (const t of this.waves.active) n += 4 + est.value(t.wf);
    return n;
  }

  // ================================================================ power loss

  private onPowerLoss(): void {
    this.dead = true;
    if (this.dispatching === 0 && !this.running) this.powerOff();
  }
}
