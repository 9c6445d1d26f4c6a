// A fake PenApi for the dispatcher tests: canned, schema-valid replies; records every call.
import type { PenApi } from '@stipple/firmware/proto/pen-api';
import { Dispatcher } from '@stipple/firmware/proto/dispatcher';
import { crc32 } from '@stipple/protocol/crc32';

/** PenApi methods that change the pen's state: never to be called for an invalid frame. */
export const STATE_CHANGING = [
  'setConfig', 'setPreset', 'deletePreset', 'setLimit', 'clearFaults', 'setService', 'runStart', 'runStop',
  'hold', 'sweep', 'capture', 'calWrite', 'calRestore', 'tlmSub', 'tlmUnsub', 'reboot', 'heartbeat',
];

const preset = { name: 'hairline', depth: 0.8, rate: 120, needle: '1RL' as const, dia: 0.25, depthMin: 0.5, depthMax: 1.1, rateMin: 100, rateMax: 140 };
const config = { depth: 0.8, rate: 120, pedal: 'hold' as const, preset: 0, autoOffMin: 10, maxRunMin: 30, idleInAir: true };

export class FakePen implements PenApi {
  calls: { name: string; arg?: unknown }[] = [];
  service = false;
  secret = 'technician-secret-0001';
  serial = 'SP-000123';
  /** Make slow requests (hold, sweep, capture) return Promises resolved by `release()`. */
  async = false;
  private pending: (() => void)[] = [];

  private rec(name: string, arg?: unknown) { this.calls.push(arg === undefined ? { name } : { name, arg }); }
  release() { const p = this.pending; this.pending = []; p.forEach((f) => f()); }
  private later<T>(v: T): T | Promise<T> {
    if (!this.async) return v;
    return new Promise<T>((resolve) => this.pending.push(() => resolve(v)));
  }

  info() { this.rec('info'); return { fw: '0.1.0', board: 'PICO', drive: 'voiceCoil' as const, serial: this.serial, cal: { status: 'ok' as const, date: '2025-03-01' }, service: this.service }; }
  isService() { return this.service; }
  status() { this.rec('status'); return { state: 'IDLE' as const, fault: 0, warn: 0, running: false, service: this.service, uptimeMs: 1234 }; }
  getConfig() { this.rec('getConfig'); return config; }
  setConfig(p: object) { this.rec('setConfig', p); return { ...config, ...p }; }
  getPresets() { this.rec('getPresets'); return { presets: [preset] }; }
  setPreset(r: object) { this.rec('setPreset', r); return { presets: [preset] }; }
  deletePreset(r: object) { this.rec('deletePreset', r); return { presets: [preset] }; }
  getLimits() { this.rec('getLimits'); return { limits: [{ needle: '1RL' as const, maxDepth: 2 }] }; }
  setLimit(r: { needle: '1RL' | '3RL'; maxDepth: number }) { this.rec('setLimit', r); return { limits: [r] }; }
  getCounters() { this.rec('getCounters'); return { cStrokes: 1, cDots: 1, cRunS: 1, strokes: 10, runS: 100, faults: 0, cartridges: 2 }; }
  getFaults() { this.rec('getFaults'); return { active: 0, faults: [{ code: 3, t: 1700000000, ctx: 'I=2.1A' }] }; }
  clearFaults() { this.rec('clearFaults'); return { active: 0, faults: [] }; }
  serviceSecret() { return this.secret; }
  setService(on: boolean) { this.rec('setService', on); this.service = on; }
  runStart(r: object) { this.rec('runStart', r); return { running: true }; }
  runStop() { this.rec('runStop'); return { running: false }; }
  heartbeat() { this.rec('heartbeat'); }
  hold(r: object) { this.rec('hold', r); return this.later({ hall: 31000, settled: true }); }
  sweep(r: { duties: number[] }) { this.rec('sweep', r); return this.later({ hall: r.duties.map((d) => Math.round(20000 + d * 30000)) }); }
  capture(r: { n?: number }) { this.rec('capture', r); return this.later({ fs: 20000, samples: new Array(r.n ?? 128).fill(30000) }); }
  sensors() { this.rec('sensors'); return { hall: 30000, current: 32768, ntc: 30000, vsupply: 50000, cartridge: true, home: false, indexUs: 0 }; }
  calRead() { this.rec('calRead'); return { status: 'missing' as const, cal: null }; }
  calWrite(r: object) { this.rec('calWrite', r); return { status: 'ok' as const }; }
  calRestore() { this.rec('calRestore'); return { status: 'missing' as const, cal: null }; }
  tlmSub(r: { every: number; perStroke?: boolean }) { this.rec('tlmSub', { every: r.every, perStroke: r.perStroke === true }); }
  tlmUnsub() { this.rec('tlmUnsub'); }
  reboot() { this.rec('reboot'); }
  /** The pen's requests by id (PenApi.request): each to its method above. */
  request(id: string, body: any) {
    const m = (this as any)[id];
    if (typeof m !== 'function') throw { code: 'INTERNAL', msg: 'no handler for ' + id };
    return m.call(this, body);
  }
}

/** A dispatcher over a FakePen; `out` collects written packets. */
export function makeDispatcher(opts: { fp?: string; bench?: boolean; service?: boolean } = {}) {
  const pen = new FakePen();
  pen.service = !!opts.service;
  const out: string[] = [];
  let t = 1000;
  let r = 0x12345678;
  const clock = { advance(ms: number) { t += ms; } };
  const d = new Dispatcher({
    api: pen, write: (s) => out.push(s), crc32: (s) => crc32(s), fp: opts.fp ?? '0123456789abcdef', bench: !!opts.bench,
    now: () => t, random: () => { r = (Math.imul(r, 1103515245) + 12345) | 0; return r; },
  });
  return { d, pen, out, clock };
}

/** Parse one written packet: check framing and CRC, return the envelope and its body. */
export function parsePacket(p: string): { v: number; i: string; s: number; b: string; c: number; body: any } {
  if (p.charCodeAt(0) !== 0x10 || p.charCodeAt(1) !== 0x01) throw new Error('no DLE SOH');
  const h = (p.charCodeAt(2) << 8) | p.charCodeAt(3);
  if ((h & 0xe000) !== 0x4000) throw new Error('not an EVENT packet');
  const json = p.slice(4);
  if ((h & 0x1fff) !== json.length) throw new Error(`length ${h & 0x1fff} != ${json.length}`);
  if (!/^[ -~]*$/.test(json)) throw new Error('non-printable byte in packet');
  const env = JSON.parse(json);
  if (crc32(env.b) !== env.c) throw new Error('bad CRC in reply');
  return { ...env, body: JSON.parse(env.b) };
}
