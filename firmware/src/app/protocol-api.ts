// The pen's answers to the host protocol (firmware/src/proto/pen-api.ts) on top of the
// Pen. Bodies arrive validated by the dispatcher; what is checked here is what only
// the pen knows: hard limits, preset ranges, state. Every refusal is a typed error and
// changes nothing.
import type { PenApi, PenIdentity } from '../proto/pen-api';
import { protoError } from '../proto/pen-api';
import { Pen } from './pen';
import { Identity } from './identity';
import { Preset, Settings, limitFor, isPreset } from './settings';
import { ServicePrimitives, HOLD_SETTLE_MS, CAPTURE_DEFAULT_N } from './service-primitives';
import { STATE, STATE_NAMES } from '../safety/fault-codes';
import { Calibration } from '../control/calibration';
import { FAULT_LOG_MAX, NEEDLES, TEXT_MAX } from '@stipple/protocol/limits';

export interface ProtocolApiOptions {
  fw: string;
  /** drive off, then reset the board (after the reply has drained) */
  reset: () => void;
}

/** A context text cut to what the protocol carries (fault log, fault events). */
export function clipText(s: string): string {
  return s.length > TEXT_MAX ? s.substr(0, TEXT_MAX) : s;
}

export class ProtocolApi implements PenApi {
  pen: Pen;
  id: Identity;
  prim: ServicePrimitives;
  private o: ProtocolApiOptions;

  constructor(pen: Pen, id: Identity, o: ProtocolApiOptions) {
    this.pen = pen;
    this.id = id;
    this.o = o;
    this.prim = new ServicePrimitives(pen);
    const prim = this.prim;
    pen.onSafe = function () {
      prim.abort('stopped: the pen was made safe');
    };
  }

  info(): PenIdentity {
    const cal = this.pen.cal;
    return {
      fw: this.o.fw,
      board: (this.pen.io.board || 'unknown').substr(0, 24),
      drive: this.pen.io.variant,
      serial: this.id.serial.substr(0, 24),
      cal: { status: this.pen.calStatus as any, date: cal ? cal.meta.date : '' },
      service: this.isService(),
    };
  }

  isService(): boolean {
    return this.pen.sup.state === STATE.SERVICE;
  }

  status(): any {
    const p = this.pen;
    return {
      state: STATE_NAMES[p.sup.state], fault: p.sup.fault, warn: p.warn, running: p.running(),
      service: this.isService(), uptimeMs: Math.round(p.io.now() * 1000),
    };
  }

  getConfig(): any {
    const s = this.pen.settings;
    return { depth: s.depth, rate: s.rate, pedal: s.pedal, preset: s.preset, autoOffMin: s.autoOffMin, maxRunMin: s.maxRunMin, idleInAir: s.idleInAir };
  }

  setConfig(patch: any): any {
    const pen = this.pen;
    const cur = pen.settings;
    const presetIndex = patch.preset !== undefined ? patch.preset : cur.preset;
    const p = pen.presets[presetIndex];
    if (!p) throw protoError('OUT_OF_RANGE', 'preset ' + presetIndex + ' does not exist (' + pen.presets.length + ' presets)');
    // a new preset brings its own depth and rate unless the patch names them
    const presetChanged = presetIndex !== cur.preset;
    const depth = patch.depth !== undefined ? patch.depth : presetChanged ? p.depth : cur.depth;
    const rate = patch.rate !== undefined ? patch.rate : presetChanged ? p.rate : cur.rate;
    const limit = limitFor(cur, p);
    if (depth > limit) throw protoError('OUT_OF_RANGE', 'depth ' + depth + ' mm is beyond the hard limit ' + limit + ' mm for ' + p.needle);
    if (depth < p.depthMin || depth > p.depthMax) throw protoError('OUT_OF_RANGE', 'depth ' + depth + ' mm is outside preset ' + p.name + ' (' + p.depthMin + '..' + p.depthMax + ')');
    if (rate < p.rateMin || rate > p.rateMax) throw protoError('OUT_OF_RANGE', 'rate ' + rate + ' is outside preset ' + p.name + ' (' + p.rateMin + '..' + p.rateMax + ')');
    const next: Settings = {
      preset: presetIndex, depth: depth, rate: rate,
      pedal: patch.pedal !== undefined ? patch.pedal : cur.pedal,
      autoOffMin: patch.autoOffMin !== undefined ? patch.autoOffMin : cur.autoOffMin,
      maxRunMin: patch.maxRunMin !== undefined ? patch.maxRunMin : cur.maxRunMin,
      idleInAir: patch.idleInAir !== undefined ? patch.idleInAir : cur.idleInAir,
      limits: cur.limits,
    };
    pen.setSettings(next);
    return this.getConfig();
  }

  getPresets(): any {
    return { presets: this.pen.presets };
  }

  setPreset(req: any): any {
    const pen = this.pen;
    const list = pen.presets.slice();
    const i = req.index;
    if (i > list.length) throw protoError('OUT_OF_RANGE', 'index ' + i + ': presets are 0..' + (list.length - 1) + ' (append at ' + list.length + ')');
    const p: Preset = req.preset;
    const limit = limitFor(pen.settings, p);
    if (p.depth > limit) throw protoError('OUT_OF_RANGE', 'preset depth ' + p.depth + ' mm is beyond the hard limit ' + limit + ' mm for ' + p.needle);
    if (!isPreset(p)) throw protoError('OUT_OF_RANGE', 'preset outside the pen ranges');
    list[i] = p;
    if (!pen.setPresets(list)) throw protoError('INTERNAL', 'preset rejected');
    if (i === pen.settings.preset) pen.selectPreset(i);
    return this.getPresets();
  }

  deletePreset(req: any): any {
    const pen = this.pen;
    const i = req.index;
    if (i >= pen.presets.length) throw protoError('OUT_OF_RANGE', 'no preset ' + i);
    if (pen.presets.length === 1) throw protoError('NOT_ALLOWED', 'the last preset cannot be deleted');
    if (i === pen.settings.preset) throw protoError('NOT_ALLOWED', 'preset ' + i + ' is active: select another first');
    const list = pen.presets.slice();
    list.splice(i, 1);
    if (i < pen.settings.preset) pen.settings.preset--;
    pen.setPresets(list);
    pen.setSettings(pen.settings);
    return this.getPresets();
  }

  getLimits(): any {
    const out: any[] = [];
    for (let i = 0; i < NEEDLES.length; i++) {
      const l = this.pen.settings.limits[NEEDLES[i]];
      out.push({ needle: NEEDLES[i], maxDepth: typeof l === 'number' ? l : 2 });
    }
    return { limits: out };
  }

  setLimit(req: any): any {
    const pen = this.pen;
    if (pen.running()) throw protoError('BUSY', 'stop the run before changing a hard limit');
    const s = pen.settings;
    const limits: { [n: string]: number } = {};
    for (const k in s.limits) limits[k] = s.limits[k];
    limits[req.needle] = req.maxDepth;
    const next: Settings = {
      preset: s.preset, depth: s.depth, rate: s.rate, pedal: s.pedal, autoOffMin: s.autoOffMin,
      maxRunMin: s.maxRunMin, idleInAir: s.idleInAir, limits: limits,
    };
    // the practitioner setting follows a lowered limit
    const lim = limitFor(next, pen.preset());
    if (next.depth > lim) next.depth = lim;
    pen.setSettings(next);
    return this.getLimits();
  }

  getCounters(): any {
    const c = this.pen.counters;
    return {
      cStrokes: c.cStrokes, cDots: c.cDots, cRunS: Math.floor(c.cRunS), strokes: c.strokes,
      runS: Math.floor(c.runS), faults: this.pen.sup.faultCount, cartridges: c.cartridges,
    };
  }

  getFaults(): any {
    const log = this.pen.sup.log;
    const out: any[] = [];
    for (let i = Math.max(0, log.length - FAULT_LOG_MAX); i < log.length; i++) {
      out.push({ code: log[i].c, t: Math.round(log[i].t), ctx: clipText(log[i].x) });
    }
    return { active: this.pen.sup.fault, faults: out };
  }

  clearFaults(): any {
    const why = this.pen.clearFault();
    if (why) throw protoError('NOT_ALLOWED', why);
    return this.getFaults();
  }

  serviceSecret(): string {
    return this.id.secret;
  }

  setService(on: boolean): void {
    if (on) {
      const why = this.pen.enterService();
      if (why) throw protoError('NOT_ALLOWED', why);
    } else {
      // leaving makes the pen safe, which also aborts any primitive (pen.onSafe)
      this.pen.leaveService();
    }
  }

  runStart(req: any): any {
    const pen = this.pen;
    if (this.prim.active()) throw protoError('BUSY', 'a calibration primitive is active: runStop first');
    if (pen.sup.state === STATE.FAULT) throw protoError('NOT_ALLOWED', 'fault ' + pen.sup.fault + ' latched');
    const why = pen.startHostRun(req.depth, req.rate, req.maxS, req.openLoop === true);
    if (why) throw protoError(why.indexOf('beyond') >= 0 ? 'OUT_OF_RANGE' : 'NOT_ALLOWED', why);
    return { running: true };
  }

  runStop(): any {
    this.prim.abort('stopped by runStop');
    if (this.pen.running()) this.pen.stop();
    return { running: false };
  }

  heartbeat(): void {
    this.pen.heartbeat();
  }

  /** Wrap a primitive in a Promise; its refusal is a NOT_ALLOWED error. */
  private slow(start: (done: (err: any, reply?: any) => void) => string): any {
    let why = '';
    const p = new Promise(function (resolve, reject) {
      why = start(function (err, reply) {
        if (err) reject(err);
        else resolve(reply);
      });
    });
    if (why) throw protoError('NOT_ALLOWED', why);
    return p;
  }

  hold(req: any): any {
    const prim = this.prim;
    return this.slow(function (done) {
      return prim.hold(req.duty, req.settleMs !== undefined ? req.settleMs : HOLD_SETTLE_MS, done);
    });
  }

  sweep(req: any): any {
    const prim = this.prim;
    return this.slow(function (done) {
      return prim.sweep(req.duties, req.dwellMs, done);
    });
  }

  capture(req: any): any {
    const prim = this.prim;
    return this.slow(function (done) {
      return prim.capture(req.rate, req.duty, req.n !== undefined ? req.n : CAPTURE_DEFAULT_N, done, req.ch === 'current');
    });
  }

  sensors(): any {
    return this.prim.sensors();
  }

  calRead(): any {
    return { status: this.pen.calStatus, cal: this.pen.cal || null };
  }

  calWrite(req: any): any {
    const pen = this.pen;
    if (pen.running() || this.prim.active()) throw protoError('BUSY', 'stop first');
    const cal: Calibration = req.cal;
    if (cal.meta.serial !== this.id.serial) throw protoError('NOT_ALLOWED', 'calibration is for ' + cal.meta.serial + ', this pen is ' + this.id.serial);
    if (cal.hall.mmPerUnit <= 0) throw protoError('OUT_OF_RANGE', 'hall.mmPerUnit must be positive on this hardware');
    if (cal.stroke && cal.stroke.push <= 0) throw protoError('OUT_OF_RANGE', 'stroke.push must be above 0');
    if (pen.io.variant === 'stepper' ? !cal.stage : !cal.stroke) throw protoError('BAD_FIELD', 'a ' + pen.io.variant + ' pen needs ' + (pen.io.variant === 'stepper' ? 'stage' : 'stroke'));
    const why = req.trial ? pen.tryCalibration(cal) : pen.writeCalibration(cal);
    if (why) throw protoError(why.indexOf('malformed') >= 0 ? 'OUT_OF_RANGE' : 'INTERNAL', why);
    return { status: pen.calStatus };
  }

  calRestore(): any {
    const pen = this.pen;
    if (pen.running() || this.prim.active()) throw protoError('BUSY', 'stop first');
    const why = pen.restoreCalibration();
    if (why) throw protoError('NOT_ALLOWED', why);
    return this.calRead();
  }

  tlmSub(every: number, perStroke: boolean): void {
    this.pen.telemetryEvery = every;
    this.pen.telemetryPerStroke = perStroke;
  }

  tlmUnsub(): void {
    this.pen.telemetryEvery = 0;
  }

  reboot(): void {
    this.pen.estop();
    this.o.reset();
  }
}
