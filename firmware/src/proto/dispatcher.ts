// The pen's side of the protocol. Wiring (firmware/src/main.ts or app):
//   const proto = new Dispatcher({ api, write: (s) => USB.write(s), crc32: E.CRC32,
//     fp: __STIPPLE_SCHEMA_FP__, bench: __STIPPLE_PROFILE__ === 'bench',
//     now: () => getTime() * 1000, random: () => E.hwRand() });
//   E.on('packet', (p) => proto.handleFrame(p));
//   proto.event('state', {...}); proto.telemetry(values, depths);
// handleFrame never throws, never calls a state-changing PenApi method for an invalid,
// duplicate, unauthorised or wrong-version frame, and answers every frame (except a
// valid heartbeat) with a reply or a typed error. Per request: one CRC (native), one
// JSON.parse of the body (native), a few statements per field.
import {
  ERROR_CODES, ERR_ID, F_IDEMPOTENT, F_NOREPLY, F_RUN, F_SERVICE, F_WRITE, MSG_MAX, PACKET_MAX,
  PROTOCOL_VERSION, SEQ_MAX, TLM_ALL, TLM_FIELDS,
} from '@stipple/protocol/limits';
import type { PenApi } from './pen-api';
import { checkBody } from './validate';
import { hmacSha256, toHex } from './sha256';

// the error codes used more than once, each written once (Storage: the device bundle must fit the MDBT42Q)
const BAD_FRAME = 'BAD_FRAME';
const BAD_VERSION = 'BAD_VERSION';
const INTERNAL = 'INTERNAL';

export interface DispatcherOptions {
  api: PenApi;
  /** Writes a string to the console the host listens on (e.g. USB.write). */
  write: (s: string) => void;
  /** Standard CRC-32 of a string (E.CRC32). */
  crc32: (s: string) => number;
  /** Schema fingerprint (the build's __STIPPLE_SCHEMA_FP__). */
  fp: string;
  /** Bench build: runStart allowed without SERVICE mode. */
  bench: boolean;
  /** Milliseconds, monotonic (getTime() * 1000). */
  now: () => number;
  /** A random 32-bit integer (E.hwRand()). */
  random: () => number;
}

/** A service nonce is valid this long. */
export const NONCE_TTL_MS = 60000;

/** Flags of a request id (limits.ts REQUEST_FLAGS, kept here as code, not RAM), -1 if unknown. */
export function requestFlags(id: string): number {
  switch (id) {
    case 'hello': case 'status': case 'getConfig': case 'getPresets': case 'getLimits': case 'getCounters':
    case 'getFaults': case 'svcChallenge': case 'sensors': case 'calRead':
      return F_IDEMPOTENT;
    case 'setConfig': case 'setPreset': case 'svcLeave': case 'runStop': case 'tlmSub': case 'tlmUnsub':
      return F_WRITE | F_IDEMPOTENT;
    case 'deletePreset': case 'svcEnter': case 'reboot':
      return F_WRITE;
    case 'setLimit': case 'hold': case 'clearFaults':
      return F_WRITE | F_SERVICE | F_IDEMPOTENT;
    case 'sweep': case 'capture': case 'calWrite': case 'calRestore':
      return F_WRITE | F_SERVICE;
    case 'runStart':
      return F_WRITE | F_RUN;
    case 'hb':
      return F_NOREPLY;
  }
  return -1;
}

export class Dispatcher {
  private o: DispatcherOptions;
  /** seq of the last executed request (a repeat is answered DUPLICATE). */
  private lastSeq: number;
  /** seq of the pen's own events and telemetry. */
  private evSeq: number;
  /** A hello with another schema fingerprint arrived: refuse all but hello. */
  private locked: boolean;
  /** A slow (Promise) request is in progress. */
  private busy: boolean;
  private nonce: string;
  private nonceT: number;
  private tlmMask: number;
  private tlmPer: boolean;

  constructor(o: DispatcherOptions) {
    this.o = o;
    this.lastSeq = 0;
    this.evSeq = 0;
    this.locked = false;
    this.busy = false;
    this.nonce = '';
    this.nonceT = 0;
    this.tlmMask = 0;
    this.tlmPer = false;
  }

  /** Handle one packet from E.on('packet', obj). Never throws. */
  handleFrame(f: any): void {
    let s = 0;
    try {
      if (typeof f !== 'object' || f === null || Array.isArray(f)) { this.err(0, BAD_FRAME, 'not an object'); return; }
      const fs = f.s;
      if (typeof fs !== 'number' || fs % 1 !== 0 || fs < 1 || fs > SEQ_MAX) { this.err(0, BAD_FRAME, 'bad seq'); return; }
      s = fs;
      this.frame(f, s);
    } catch (e) {
      this.err(s, INTERNAL, 'exception: ' + e);
    }
  }

  private frame(f: any, s: number): void {
    const i = f.i;
    const b = f.b;
    if (typeof i !== 'string' || typeof b !== 'string' || typeof f.c !== 'number' || typeof f.v !== 'number' ||
      Object.keys(f).length !== 5) { this.err(s, BAD_FRAME, 'envelope needs exactly v,i,s,b,c'); return; }
    if ((this.o.crc32(b) >>> 0) !== f.c) { this.err(s, 'BAD_CRC', 'CRC mismatch'); return; }
    if (f.v !== PROTOCOL_VERSION && i !== 'hello') { this.err(s, BAD_VERSION, 'pen speaks protocol v' + PROTOCOL_VERSION + ', frame is v' + f.v); return; }
    const fl = requestFlags(i);
    if (fl < 0) { this.err(s, 'UNKNOWN_MESSAGE', 'unknown message ' + i); return; }
    if (this.locked && i !== 'hello') { this.err(s, BAD_VERSION, 'schema mismatch: send a hello with fingerprint ' + this.o.fp); return; }
    if (s === this.lastSeq && i !== 'hello') { this.err(s, 'DUPLICATE', 'seq ' + s + ' already executed'); return; }
    let body: any;
    try { body = JSON.parse(b); } catch (e) { this.err(s, BAD_FRAME, 'body is not JSON'); return; }
    const bad = checkBody(i, body);
    if (bad) {
      const sp = bad.indexOf(' ');
      this.err(s, bad.substr(0, sp), i + ': bad ' + bad.substr(sp + 1));
      return;
    }
    const api = this.o.api;
    if ((fl & F_SERVICE || (fl & F_RUN && !this.o.bench)) && !api.isService()) { this.err(s, 'NEEDS_SERVICE', i + ' needs SERVICE mode'); return; }
    if (this.busy && fl & F_WRITE && i !== 'runStop') { this.err(s, 'BUSY', 'another request is in progress'); return; }
    this.lastSeq = s;
    if (fl & F_NOREPLY) { api.heartbeat(); return; }
    let r: any;
    try {
      r = this.call(i, body, s);
    } catch (e) {
      this.fail(s, e);
      return;
    }
    if (r === null) return; // already replied (errors, reboot)
    if (r && typeof r.then === 'function') {
      this.busy = true;
      const self = this;
      r.then(function (v: any) { self.busy = false; self.reply(i, s, v); },
        function (e: any) { self.busy = false; self.fail(s, e); });
      return;
    }
    this.reply(i, s, r);
  }

  /** Run request i; returns the reply body, a Promise of it, or null when it replied itself. */
  private call(i: string, b: any, s: number): any {
    const api = this.o.api;
    switch (i) {
      case 'hello': {
        if (b.fp !== this.o.fp || b.pv !== PROTOCOL_VERSION) {
          this.locked = true;
          this.err(s, BAD_VERSION, 'schema mismatch: pen protocol v' + PROTOCOL_VERSION + ' fp ' + this.o.fp +
            ', host protocol v' + b.pv + ' fp ' + b.fp);
          return null;
        }
        this.locked = false;
        return Object.assign({ pv: PROTOCOL_VERSION, fp: this.o.fp }, api.info());
      }
      case 'svcChallenge': {
        let n = '';
        for (let k = 0; k < 4; k++) {
          let h = (this.o.random() >>> 0).toString(16);
          while (h.length < 8) h = '0' + h;
          n += h;
        }
        this.nonce = n;
        this.nonceT = this.o.now();
        return { nonce: n };
      }
      case 'svcEnter': {
        const n = this.nonce;
        this.nonce = '';
        if (!n || this.o.now() - this.nonceT > NONCE_TTL_MS) { this.err(s, 'AUTH_FAILED', 'no valid challenge: request svcChallenge first'); return null; }
        if (toHex(hmacSha256(api.serviceSecret(), n + '|' + api.info().serial)) !== b.mac) { this.err(s, 'AUTH_FAILED', 'wrong MAC'); return null; }
        api.setService(true);
        return { service: true };
      }
      case 'svcLeave': api.setService(false); return { service: false };
      case 'tlmSub': {
        let m = TLM_ALL;
        if (b.fields) {
          m = 0;
          for (let k = 0; k < b.fields.length; k++) m |= 1 << TLM_FIELDS.indexOf(b.fields[k]);
        }
        const per = b.perStroke === true;
        api.request(i, b);
        this.tlmMask = m;
        this.tlmPer = per;
        return { mask: m, every: b.every, perStroke: per };
      }
      case 'tlmUnsub': this.tlmMask = 0; api.request(i, b); return {};
      case 'reboot': this.reply(i, s, {}); api.request(i, b); return null;
    }
    return api.request(i, b);
  }

  /** Push an event ('state', 'fault', 'warn') with its body (see protocol EVENTS). */
  event(id: string, body: any): void {
    this.evSeq = this.evSeq >= SEQ_MAX ? 1 : this.evSeq + 1;
    this.send(id, this.evSeq, JSON.stringify(body));
  }

  /**
   * Send a telemetry record if subscribed. `values` holds every TLM_FIELDS value in order
   * (integers: see limits.ts); `depths` the per-stroke measured depths (µm), sent if asked for;
   * `omit` a mask of fields left out (nothing is sent when none of the subscribed remain).
   * A caller may reuse its arrays.
   */
  telemetry(values: number[], depths?: number[], omit?: number): void {
    const m = this.tlmMask & ~(omit as number); // ~undefined is -1: nothing left out
    if (!m) return;
    let r: any[];
    if (m === TLM_ALL) {
      r = [m].concat(values);
    } else {
      r = [m];
      for (let k = 0; k < values.length; k++) if (m & (1 << k)) r.push(values[k]);
    }
    if (this.tlmPer && depths) r.push(depths);
    // straight into the envelope: a record is digits, commas, minus signs and brackets, so
    // it needs no escaping as the "b" string (send() would JSON.stringify it once more)
    const b = JSON.stringify(r);
    const s = (this.evSeq = this.evSeq >= SEQ_MAX ? 1 : this.evSeq + 1);
    this.out('{"v":' + PROTOCOL_VERSION + ',"i":"tlm","s":' + s + ',"b":"' + b + '","c":' + (this.o.crc32(b) >>> 0) + '}', 'tlm', s);
  }

  /** Subscribed to telemetry? */
  telemetryOn(): boolean {
    return this.tlmMask !== 0;
  }

  private reply(i: string, s: number, body: any): void {
    this.send(i, s, JSON.stringify(body === undefined ? {} : body));
  }

  private fail(s: number, e: any): void {
    if (e && typeof e.code === 'string' && ERROR_CODES.indexOf(e.code) >= 0) this.err(s, e.code, '' + e.msg);
    else this.err(s, INTERNAL, '' + (e && e.message ? e.message : e));
  }

  private err(s: number, code: string, msg: string): void {
    this.send(ERR_ID, s, JSON.stringify({ code: code, msg: msg.length > MSG_MAX ? msg.substr(0, MSG_MAX) : msg }));
  }

  /** Frame and write: DLE SOH, EVENT header (length in the low 13 bits), envelope JSON. */
  private send(i: string, s: number, b: string): void {
    this.out('{"v":' + PROTOCOL_VERSION + ',"i":"' + i + '","s":' + s + ',"b":' + JSON.stringify(b) + ',"c":' + (this.o.crc32(b) >>> 0) + '}', i, s);
  }

  /** Write envelope `j` of message i/s as one EVENT packet (too long: an INTERNAL error instead). */
  private out(j: string, i: string, s: number): void {
    const n = j.length;
    if (n > PACKET_MAX) {
      if (i !== ERR_ID) this.err(s, INTERNAL, i + ' reply too long (' + n + ' bytes)');
      return;
    }
    this.o.write('\x10\x01' + String.fromCharCode(0x40 | (n >> 8), n & 255) + j);
  }
}
