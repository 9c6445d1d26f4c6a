// The Espruino API as seen by the firmware: a bootstrap script run inside each fresh vm
// context. It defines every global in the firmware's own realm (so objects, arrays and
// errors it gets are the context's, and no Node object leaks in) on top of a small set
// of host "natives" (N) captured in its closure, and returns dispatch helpers (D) the
// board uses to deliver events. Afterwards the globals Espruino lacks are deleted.

/** Host functions the bootstrap calls. Values crossing are primitives or context objects. */
export interface Natives {
  dw(pin: string, v: number): void;
  dr(pin: string): number;
  pm(pin: string, mode: string): void;
  gpm(pin: string): string;
  aw(pin: string, duty: number, freq: number): void;
  ar(pin: string): number;
  dp(pin: string, value: number, times: ArrayLike<number>): void;
  st(fn: unknown, ms: number, args: unknown, interval: boolean): number;
  ct(id?: unknown): void;
  ci(id: unknown, ms: number): void;
  sw(fn: unknown, pin: string, repeat: boolean, edge: number, debounce: number): number;
  cw(id?: unknown): boolean;
  gt(): number;
  nowMs(): number;
  pr(args: ArrayLike<unknown>): void;
  ser(dev: string, s: string): void;
  getCon(): string;
  setCon(dev: string): void;
  echo(on: boolean): void;
  crc(d: unknown): number;
  wde(timeout: number, auto: boolean): void;
  wdk(): void;
  ef(): string;
  reset(kind: string): void;
  mem(): string;
  sizeOf(v: unknown): number;
  toJS(v: unknown): string;
  rnd(): number;
  wfStart(wf: object, b1: unknown, b2: unknown, pin: string, freq: number, out: boolean, time: number, repeat: boolean, is16: boolean): void;
  wfStop(wf: object): void;
  stRead(name: unknown, off?: unknown, len?: unknown): string | undefined;
  stWrite(name: unknown, data: unknown, off?: unknown, size?: unknown): boolean;
  stErase(name: unknown): void;
  stEraseAll(): void;
  stList(): string;
  stFree(): number;
  stStats(): string;
  stCompact(): void;
}

/** Context functions the board calls. */
export interface Dispatch {
  watchEvent(fn: unknown, state: boolean, time: number, lastTime: number | undefined, pin: string): void;
  emit(obj: unknown, ev: string, arg?: unknown): void;
  emitArgs(obj: unknown, ev: string, args: unknown[]): void;
  hasListeners(obj: unknown, ev: string): boolean;
  wfFinish(wf: object): void;
  serialObject(dev: string): unknown;
  E: object;
  process: object;
  parseJson(s: string): unknown;
}

/** Globals V8 has and Espruino does not: deleted from every context. */
export const MISSING_GLOBALS = [
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'Proxy', 'Reflect', 'WeakRef', 'FinalizationRegistry',
  'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'Intl',
  'AggregateError', 'escape', 'unescape',
];

/** Static members / methods V8 has and Espruino does not. */
export const MISSING_MEMBERS: ReadonlyArray<[string, string]> = [
  ['Array', 'from'], ['Object', 'freeze'], ['Number', 'isInteger'], ['Number', 'isFinite'],
  ['Math', 'trunc'], ['Math', 'hypot'], ['Math', 'log10'], ['Math', 'cbrt'], ['Math', 'tanh'],
  ['Promise.prototype', 'finally'],
];

// Number.EPSILON is non-configurable in V8, so `Number` itself is replaced by a
// forwarding constructor without it (instanceof, .constructor and the statics still work).
const NUMBER_WITHOUT_EPSILON = String.raw`(function () {
  var O = Number;
  var W = function Number(v) {
    var n = arguments.length ? O(v) : 0;
    return new.target ? new O(n) : n;
  };
  Object.getOwnPropertyNames(O).forEach(function (k) {
    if (k === 'EPSILON' || k === 'prototype' || k === 'length' || k === 'name') return;
    Object.defineProperty(W, k, Object.getOwnPropertyDescriptor(O, k));
  });
  W.prototype = O.prototype;
  Object.defineProperty(O.prototype, 'constructor', { value: W, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(globalThis, 'Number', { value: W, writable: true, configurable: true, enumerable: false });
})();`;

export function removalSource(): string {
  return (
    MISSING_GLOBALS.map((g) => `delete globalThis.${g};`).join('\n') +
    '\n' +
    MISSING_MEMBERS.map(([o, m]) => `delete ${o}.${m};`).join('\n') +
    '\n' +
    NUMBER_WITHOUT_EPSILON
  );
}

/**
 * The bootstrap: `(function (N, PINS, ALIASES, SERIALS, ENV) { ...; return D; })`.
 * Written in plain ES5-ish JS on purpose; it runs in V8, the firmware is what runs "on Espruino".
 */
export const BOOTSTRAP_SOURCE = String.raw`(function (N, PINS, ALIASES, SERIALS, ENV) {
  'use strict';
  var G = globalThis;
  function def(o, k, v) { Object.defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: false }); }
  function defG(k, v) { def(G, k, v); }

  // ---- every object is an event emitter (Object.prototype.on/emit/... as on Espruino)
  var EVK = '#ev';
  def(Object.prototype, 'on', function (ev, fn) {
    var m = Object.prototype.hasOwnProperty.call(this, EVK) ? this[EVK] : undefined;
    if (!m) { m = {}; def(this, EVK, m); }
    (m[ev] || (m[ev] = [])).push(fn);
    return this;
  });
  def(Object.prototype, 'addListener', Object.prototype.on);
  def(Object.prototype, 'prependListener', function (ev, fn) {
    this.on(ev, fn); var l = this[EVK][ev]; l.unshift(l.pop()); return this;
  });
  def(Object.prototype, 'emit', function (ev) {
    var m = Object.prototype.hasOwnProperty.call(this, EVK) ? this[EVK] : undefined;
    if (!m || !m[ev]) return;
    var l = m[ev].slice(), a = Array.prototype.slice.call(arguments, 1);
    for (var i = 0; i < l.length; i++) l[i].apply(this, a);
  });
  def(Object.prototype, 'removeListener', function (ev, fn) {
    var m = Object.prototype.hasOwnProperty.call(this, EVK) ? this[EVK] : undefined;
    if (!m || !m[ev]) return;
    var i = m[ev].indexOf(fn); if (i >= 0) m[ev].splice(i, 1);
    if (!m[ev].length) delete m[ev];
  });
  def(Object.prototype, 'removeAllListeners', function (ev) {
    var m = Object.prototype.hasOwnProperty.call(this, EVK) ? this[EVK] : undefined;
    if (!m) return;
    if (ev === undefined) { for (var k in m) delete m[k]; } else delete m[ev];
  });
  function hasListeners(o, ev) {
    var m = Object.prototype.hasOwnProperty.call(o, EVK) ? o[EVK] : undefined;
    return !!(m && m[ev] && m[ev].length);
  }

  // ---- pins
  function Pin(name) {
    if (!(this instanceof Pin)) return new Pin(name);
    def(this, '#pin', String(name));
  }
  def(Pin.prototype, 'toString', function () { return this['#pin']; });
  def(Pin.prototype, 'toJSON', function () { return this['#pin']; });
  def(Pin.prototype, 'read', function () { return !!digitalRead(this); });
  def(Pin.prototype, 'set', function () { digitalWrite(this, 1); });
  def(Pin.prototype, 'reset', function () { digitalWrite(this, 0); });
  def(Pin.prototype, 'write', function (v) { digitalWrite(this, v); });
  def(Pin.prototype, 'writeAtTime', function (v) { digitalWrite(this, v); });
  def(Pin.prototype, 'toggle', function () { var v = !digitalRead(this); digitalWrite(this, v); return v; });
  def(Pin.prototype, 'mode', function (m) { pinMode(this, m); });
  def(Pin.prototype, 'getMode', function () { return getPinMode(this); });
  def(Pin.prototype, 'analog', function () { return analogRead(this); });
  defG('Pin', Pin);
  function pinName(p) {
    if (typeof p === 'string') return ALIASES[p] || p;
    if (p instanceof Pin) return p['#pin'];
    return String(p);
  }
  for (var i = 0; i < PINS.length; i++) defG(PINS[i], new Pin(PINS[i]));
  for (var a in ALIASES) defG(a, new Pin(ALIASES[a]));

  // ---- digital / analog IO
  defG('digitalWrite', function (pin, v) {
    if (Array.isArray(pin)) { for (var i = pin.length - 1, b = 0; i >= 0; i--, b++) N.dw(pinName(pin[i]), (v >> b) & 1); return; }
    N.dw(pinName(pin), v ? 1 : 0);
  });
  defG('digitalRead', function (pin) {
    if (Array.isArray(pin)) { var r = 0; for (var i = 0; i < pin.length; i++) r = (r << 1) | N.dr(pinName(pin[i])); return r; }
    return N.dr(pinName(pin));
  });
  defG('pinMode', function (pin, mode) { N.pm(pinName(pin), mode === undefined ? 'auto' : String(mode)); });
  defG('getPinMode', function (pin) { return N.gpm(pinName(pin)); });
  defG('analogWrite', function (pin, value, opts) {
    var f = opts && typeof opts === 'object' && opts.freq ? +opts.freq : 0;
    N.aw(pinName(pin), +value, f);
  });
  defG('analogRead', function (pin) { return N.ar(pinName(pin)); });
  defG('digitalPulse', function (pin, value, time) {
    var t = typeof time === 'number' ? [time] : time;
    if (!t || typeof t.length !== 'number') throw new Error('Expecting a number or array, got ' + typeof time);
    N.dp(pinName(pin), value ? 1 : 0, t);
  });

  // ---- timers and watches
  function cb(fn) {
    if (typeof fn === 'string') { var code = fn; return function () { (0, eval)(code); }; }
    if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
    return fn;
  }
  function timerArgs(a) { return a.length > 2 ? Array.prototype.slice.call(a, 2) : undefined; }
  defG('setTimeout', function (fn, ms) { return N.st(cb(fn), +ms, timerArgs(arguments), false); });
  defG('setInterval', function (fn, ms) { return N.st(cb(fn), +ms, timerArgs(arguments), true); });
  function clearT(kind) {
    return function (id) {
      if (arguments.length === 0) return N.ct();
      if (id === undefined) throw new Error('clear' + kind + '(undefined) not allowed. Use clear' + kind + '() instead');
      N.ct(id);
    };
  }
  defG('clearTimeout', clearT('Timeout'));
  defG('clearInterval', clearT('Interval'));
  defG('changeInterval', function (id, ms) { N.ci(id, +ms); });
  defG('setWatch', function (fn, pin, opts) {
    var repeat = false, debounce = 0, edge = 0;
    if (opts !== null && typeof opts === 'object') {
      repeat = !!opts.repeat;
      if (opts.debounce !== undefined) { debounce = +opts.debounce; if (!(debounce >= 0)) debounce = 0; }
      var e = opts.edge;
      if (e === undefined) edge = 0;
      else if (typeof e === 'number') edge = e > 0 ? 1 : e < 0 ? -1 : 0;
      else if (e === 'rising') edge = 1;
      else if (e === 'falling') edge = -1;
      else if (e === 'both') edge = 0;
      else throw new TypeError("'edge' in setWatch should be 1, -1, 0, 'rising', 'falling' or 'both'");
    } else repeat = !!opts;
    return N.sw(cb(fn), pinName(pin), repeat, edge, debounce);
  });
  defG('clearWatch', function (id) {
    if (arguments.length === 0) { N.cw(); return; }
    if (id === undefined) throw new Error('clearWatch(undefined) not allowed. Use clearWatch() instead');
    if (!N.cw(id)) throw new Error('Unknown Watch ' + id);
  });
  defG('getTime', function () { return N.gt(); });

  // ---- console
  defG('print', function () { N.pr(arguments); });
  var con = {};
  ['log', 'debug', 'info', 'warn', 'error', 'trace'].forEach(function (k) { def(con, k, function () { N.pr(arguments); }); });
  defG('console', con);
  defG('echo', function (on) { N.echo(!!on); });
  function toStr(d) {
    if (typeof d === 'string') return d;
    if (typeof d === 'number') return String.fromCharCode(d & 255);
    if (d instanceof ArrayBuffer) d = new Uint8Array(d);
    if (d && typeof d === 'object' && typeof d.length === 'number') {
      var s = ''; for (var i = 0; i < d.length; i++) s += toStr(d[i]); return s;
    }
    if (d && typeof d === 'object' && d.data !== undefined) {
      var s2 = ''; var c = d.count === undefined ? 1 : d.count; for (var j = 0; j < c; j++) s2 += toStr(d.data); return s2;
    }
    return String(d);
  }
  function Serial(dev) { def(this, '#dev', dev); }
  def(Serial.prototype, 'write', function () { var s = ''; for (var i = 0; i < arguments.length; i++) s += toStr(arguments[i]); N.ser(this['#dev'], s); });
  def(Serial.prototype, 'print', function (v) { N.ser(this['#dev'], typeof v === 'string' ? v : String(v)); });
  def(Serial.prototype, 'println', function (v) { N.ser(this['#dev'], (typeof v === 'string' ? v : String(v)) + '\r\n'); });
  def(Serial.prototype, 'setup', function () {});
  def(Serial.prototype, 'setConsole', function () { N.setCon(this['#dev']); });
  def(Serial.prototype, 'isConnected', function () { return true; });
  def(Serial.prototype, 'available', function () { return 0; });
  def(Serial.prototype, 'read', function () { return ''; });
  def(Serial.prototype, 'toString', function () { return this['#dev']; });
  defG('Serial', Serial);
  var serials = {};
  for (var si = 0; si < SERIALS.length; si++) { serials[SERIALS[si]] = new Serial(SERIALS[si]); defG(SERIALS[si], serials[SERIALS[si]]); }

  // ---- E
  function bytesOf(d) {
    if (typeof d === 'string') return d;
    return toStr(d);
  }
  var E = {};
  def(E, 'CRC32', function (d) { return N.crc(bytesOf(d)); });
  def(E, 'sum', function (a) { var s = 0; for (var i = 0; i < a.length; i++) s += +a[i]; return s; });
  // as jswrap_espruino.c: v += a[i] * b[(i + offset) % b.length] over a
  def(E, 'convolve', function (a, b, offset) { var s = 0, n = b.length; for (var i = 0; i < a.length; i++) s += a[i] * b[(i + offset) % n]; return s; });
  def(E, 'variance', function (a, mean) { var s = 0; for (var i = 0; i < a.length; i++) { var d = a[i] - mean; s += d * d; } return s / a.length; });
  def(E, 'clip', function (x, lo, hi) { return x < lo ? lo : x > hi ? hi : x; });
  def(E, 'interpolate', function (a, i) {
    var n = a.length; if (!n) return 0;
    if (i <= 0) return +a[0];
    if (i >= n - 1) return +a[n - 1];
    var k = Math.floor(i), f = i - k; return a[k] * (1 - f) + a[k + 1] * f;
  });
  def(E, 'enableWatchdog', function (t, isAuto) { N.wde(+t, isAuto === undefined ? true : !!isAuto); });
  def(E, 'kickWatchdog', function () { N.wdk(); });
  def(E, 'getErrorFlags', function () { var s = N.ef(); return s ? s.split(',') : []; });
  def(E, 'getConsole', function () { return N.getCon(); });
  def(E, 'setConsole', function (dev) { N.setCon(dev instanceof Serial ? dev['#dev'] : String(dev)); });
  def(E, 'reboot', function () { N.reset('reboot'); });
  def(E, 'getSizeOf', function (v) { return N.sizeOf(v); });
  def(E, 'toJS', function (v) { return N.toJS(v); });
  def(E, 'hwRand', function () { return Math.floor(N.rnd() * 4294967296) | 0; });
  def(E, 'getAnalogVRef', function () { return 3.3; });
  def(E, 'getTemperature', function () { return 25; });
  def(E, 'setTimeZone', function () {});
  def(E, 'setFlags', function () {});
  def(E, 'getFlags', function () { return {}; });
  def(E, 'toString', function () { return bytesOf(arguments.length === 1 ? arguments[0] : Array.prototype.slice.call(arguments)); });
  def(E, 'toUint8Array', function () {
    var s = bytesOf(arguments.length === 1 ? arguments[0] : Array.prototype.slice.call(arguments));
    var u = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u;
  });
  def(E, 'toArrayBuffer', function (s) { return E.toUint8Array(s).buffer; });
  defG('E', E);

  // ---- process
  var proc = {};
  def(proc, 'env', ENV);
  def(proc, 'version', ENV.VERSION);
  def(proc, 'memory', function () {
    var a = N.mem().split(',').map(Number);
    return { free: a[0], usage: a[1], total: a[2], history: a[3], gc: a[4], gctime: a[5], blocksize: a[6] };
  });
  defG('process', proc);

  // ---- misc globals
  defG('global', G);
  defG('reset', function () { N.reset('reset'); });
  defG('load', function () { N.reset('load'); });
  defG('save', function () { throw new Error('save() is not modelled by the virtual board'); });
  defG('setBusyIndicator', function () {});
  defG('setSleepIndicator', function () {});
  defG('setDeepSleep', function () {});
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  defG('btoa', function (s) {
    s = String(s); var o = '';
    for (var i = 0; i < s.length; i += 3) {
      var a = s.charCodeAt(i) & 255, b = i + 1 < s.length ? s.charCodeAt(i + 1) & 255 : -1, c = i + 2 < s.length ? s.charCodeAt(i + 2) & 255 : -1;
      o += B64[a >> 2] + B64[((a & 3) << 4) | (b < 0 ? 0 : b >> 4)] + (b < 0 ? '=' : B64[((b & 15) << 2) | (c < 0 ? 0 : c >> 6)]) + (c < 0 ? '=' : B64[c & 63]);
    }
    return o;
  });
  defG('atob', function (s) {
    s = String(s).replace(/[^A-Za-z0-9+/]/g, ''); var o = '', bits = 0, n = 0;
    for (var i = 0; i < s.length; i++) { bits = (bits << 6) | B64.indexOf(s[i]); n += 6; if (n >= 8) { n -= 8; o += String.fromCharCode((bits >> n) & 255); } }
    return o;
  });

  // ---- Storage
  var Storage = {};
  def(Storage, 'read', function (n, off, len) { return N.stRead(n, off, len); });
  def(Storage, 'readJSON', function (n, noExceptions) {
    var s = N.stRead(n); if (s === undefined) return undefined;
    try { return JSON.parse(s); } catch (e) { if (noExceptions) return undefined; throw e; }
  });
  def(Storage, 'readArrayBuffer', function (n) {
    var s = N.stRead(n); if (s === undefined) return undefined;
    var u = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u.buffer;
  });
  def(Storage, 'write', function (n, d, off, size) { return N.stWrite(n, d, off, size); });
  def(Storage, 'writeJSON', function (n, d) { return N.stWrite(n, JSON.stringify(d)); });
  def(Storage, 'erase', function (n) { N.stErase(n); });
  def(Storage, 'eraseAll', function () { N.stEraseAll(); });
  def(Storage, 'list', function (re) {
    var s = N.stList(), names = s ? s.split('\u0000') : [], out = [];
    for (var i = 0; i < names.length; i++) {
      var nm = names[i];
      if (re === undefined || re === null || (typeof re === 'string' ? nm.indexOf(re) >= 0 : re.test(nm))) out.push(nm);
    }
    return out;
  });
  def(Storage, 'getFree', function () { return N.stFree(); });
  def(Storage, 'getStats', function () {
    var a = N.stStats().split(',').map(Number);
    return { totalBytes: a[0], freeBytes: a[1], fileBytes: a[2], fileCount: a[3], trashBytes: a[4], trashCount: a[5] };
  });
  def(Storage, 'compact', function () { N.stCompact(); });
  def(Storage, 'debug', function () {});
  def(Storage, 'open', function () { throw new Error('Storage.open (StorageFile) is not modelled by the virtual board'); });
  defG('require', function (m) {
    if (m === 'Storage') return Storage;
    throw new Error('Module ' + m + ' not found');
  });

  // ---- Waveform
  function Waveform(samples, opts) {
    if (!(this instanceof Waveform)) throw new TypeError('Waveform must be called with new');
    var bits = 0, dbl = false, buf;
    if (opts !== undefined) {
      if (opts === null || typeof opts !== 'object') throw new Error('Expecting options to be undefined or an Object, not ' + typeof opts);
      dbl = !!opts.doubleBuffer;
      bits = opts.bits | 0;
      if (bits !== 0 && bits !== 8 && bits !== 16) throw new Error('Invalid number of bits');
    }
    var T = bits === 16 ? Uint16Array : Uint8Array;
    if (typeof samples === 'number') {
      if (!(samples > 0)) throw new Error('Samples must be greater than 0');
      buf = new T(samples | 0);
    } else if (samples instanceof ArrayBuffer) {
      buf = new T(samples);
    } else if (ArrayBuffer.isView(samples)) {
      buf = samples;
    } else throw new Error("'samples' should be a integer or ArrayBuffer");
    this.buffer = buf;
    if (dbl) this.buffer2 = new buf.constructor(buf.length);
  }
  function wfStart(w, pin, freq, opts, out) {
    if (w.running) throw new Error('Waveform is already running');
    freq = +freq;
    if (!isFinite(freq) || freq < 0.001) throw new Error('Frequency must be above 0.001Hz');
    var time = 0, repeat = false;
    if (opts !== null && typeof opts === 'object') { time = +opts.time || 0; repeat = !!opts.repeat; }
    else if (opts !== undefined) throw new Error('Expecting options to be undefined or an Object, not ' + typeof opts);
    N.wfStart(w, w.buffer, w.buffer2 || null, pinName(pin), freq, out, time, repeat, w.buffer.BYTES_PER_ELEMENT === 2);
    w.running = true;
    w.freq = freq;
  }
  def(Waveform.prototype, 'startInput', function (pin, freq, opts) { wfStart(this, pin, freq, opts, false); });
  def(Waveform.prototype, 'startOutput', function (pin, freq, opts) { wfStart(this, pin, freq, opts, true); });
  def(Waveform.prototype, 'stop', function () {
    if (!this.running) throw new Error('Waveform is not running');
    N.wfStop(this);
  });
  defG('Waveform', Waveform);

  // ---- determinism: Math.random and Date run on the board's seed and virtual clock (UTC)
  def(Math, 'random', function () { return N.rnd(); });
  var ODate = Date;
  function VDate(a, b, c, d, e, f, g) {
    if (!(this instanceof VDate)) return new VDate().toString();
    var n = arguments.length;
    var x = n === 0 ? new ODate(N.nowMs()) : n === 1 ? new ODate(a) : new ODate(ODate.UTC(a, b, c === undefined ? 1 : c, d || 0, e || 0, f || 0, g || 0));
    Object.setPrototypeOf(x, VDate.prototype);
    return x;
  }
  VDate.prototype = Object.create(ODate.prototype);
  def(VDate.prototype, 'constructor', VDate);
  ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds'].forEach(function (k) {
    def(VDate.prototype, 'get' + k, ODate.prototype['getUTC' + k]);
    if (k !== 'Day') def(VDate.prototype, 'set' + k, ODate.prototype['setUTC' + k]);
  });
  def(VDate.prototype, 'getTimezoneOffset', function () { return 0; });
  def(VDate.prototype, 'toString', function () { return ODate.prototype.toUTCString.call(this).replace('GMT', 'GMT+0000'); });
  def(VDate, 'now', function () { return N.nowMs(); });
  def(VDate, 'parse', ODate.parse);
  def(VDate, 'UTC', ODate.UTC);
  defG('Date', VDate);

  return {
    watchEvent: function (fn, state, time, lastTime, pin) {
      fn({ state: state, time: time, lastTime: lastTime, pin: G[pin] instanceof Pin ? G[pin] : new Pin(pin) });
    },
    emit: function (obj, ev, arg) { if (arguments.length > 2) obj.emit(ev, arg); else obj.emit(ev); },
    emitArgs: function (obj, ev, args) { obj.emit.apply(obj, [ev].concat(args)); },
    hasListeners: hasListeners,
    wfFinish: function (w) { w.running = false; w.emit('finish', w.buffer); },
    serialObject: function (dev) { return serials[dev]; },
    E: E,
    process: proc,
    parseJson: function (s) { return JSON.parse(s); }
  };
})`;
