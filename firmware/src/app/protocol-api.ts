// The pen's answers to the host protocol (firmware/src/proto/pen-api.ts) on top of the
// Pen. Bodies arrive validated by the dispatcher; what is checked here is what only
// the pen knows: hard limits, preset ranges, state. Every refusal is a typed error and
// changes nothing. One `request` switch rather than a method per request: each method is
// a function object in the pen's RAM (docs/control.md, Budgets: memory).
import type { PenApi, PenIdentity } from '../proto/pen-api';
import { protoError } from '../proto/pen-api';
import { Pen, BEYOND_LIMIT } from './pen';
import { Identity } from './identity';
import { Preset, Settings, limitFor, isPreset } from './settings';
import { ServicePrimitives, createServicePrimitives, readSensors, HOLD_SETTLE_MS, CAPTURE_DEFAULT_N } from './service-primitives';
import { STATE, STATE_NAMES } from '../safety/fault-codes';
import { Calibration, CALIBRATION_VERSION, isCalibration } from '../control/calibration';
import { FAULT_LOG_MAX, NEEDLES, TEXT_MAX } from '@stipple/protocol/limits';

// the error codes, each written once (Storage: the device bundle must fit the MDBT42Q)
const OUT_OF_RANGE = 'OUT_OF_RANGE';
const NOT_ALLOWED = 'NOT_ALLOWED';
const INTERNAL = 'INTERNAL';

export interface ProtocolApiOptions {
  fw: string;
  /** drive off, then reset the board (after the reply has drained) */
  reset: () => void;
}

/** A context text cut to what the protocol carries (fault log, fault events). */
export function clipText(s: string): string {
  return s.length > TEXT_MAX ? s.substr(0, TEXT_MAX) : s;
}

/** `patch[k]` when the patch names it, else `cur[k]`. */
function patched(patch: any, cur: any, k: string): any {
  return patch[k] !== undefined ? patch[k] : cur[k];
}

export class ProtocolApi implements PenApi {
  pen: Pen;
  id: Identity;
  /** the SERVICE session's primitives (none outside SERVICE) */
  prim: ServicePrimitives | undefined;
  private o: ProtocolApiOptions;

  constructor(pen: Pen, id: Identity, o: ProtocolApiOptions) {
    this.pen = pen;
    this.id = id;
    this.o = o;
    const self = this;
    pen.onSafe = function () {
      if (self.prim) self.prim.abort('stopped: the pen was made safe');
    };
  }

  info(): PenIdentity {
    const cal = this.pen.cal;
    return {
      fw: this.o.fw,
      board: (this.pen.io.board || 'unknown').substr(0, 24),
      drive: this.pen.io.driveKind,
      serial: this.id.serial.substr(0, 24),
      cal: { status: this.pen.calStatus as any, date: cal ? cal.meta.date : '' },
      service: this.isService(),
    };
  }

  isService(): boolean {
    return this.pen.supervisor.penState === STATE.SERVICE;
  }

  serviceSecret(): string {
    return this.id.secret;
  }

  setService(on: boolean): void {
    if (on) {
      const why = this.pen.enterService();
      if (why) throw protoError(NOT_ALLOWED, why);
      if (!this.prim) this.prim = createServicePrimitives(this.pen);
    } else {
      // leaving makes the pen safe, which also aborts any primitive (pen.onSafe)
      this.pen.leaveService();
      this.prim = undefined;
    }
  }

  heartbeat(): void {
    this.pen.heartbeat();
  }

  /** Every other request: the reply body, a Promise of it (slow primitives), or a thrown protoError. */
  request(i: string, b: any): any {
    const pen = this.pen;
    // SERVICE-only requests (hold, sweep, capture) come only with a session's primitives
    const prim = this.prim as ServicePrimitives;
    const busy = !!prim && prim.active();
    const s = pen.prefs;
    switch (i) {
      case 'status':
        return {
          state: STATE_NAMES[pen.supervisor.penState], fault: pen.supervisor.latchedFault, warn: pen.warn, running: pen.isRunning(),
          service: this.isService(), uptimeMs: Math.round(pen.io.now() * 1000),
        };
      case 'getConfig':
        return { depth: s.depth, rate: s.rate, pedal: s.pedal, preset: s.preset, autoOffMin: s.autoOffMin, maxRunMin: s.maxRunMin, idleInAir: s.idleInAir };
      case 'setConfig': {
        const presetIndex = patched(b, s, 'preset');
        const p = pen.presets[presetIndex];
        if (!p) throw protoError(OUT_OF_RANGE, 'preset ' + presetIndex + ' does not exist (' + pen.presets.length + ' presets)');
        // a new preset brings its own depth and rate unless the patch names them
        const base = presetIndex !== s.preset ? p : s;
        const depth = patched(b, base, 'depth');
        const rate = patched(b, base, 'rate');
        const limit = limitFor(s, p);
        if (depth > limit) throw protoError(OUT_OF_RANGE, 'depth ' + depth + BEYOND_LIMIT + limit + ' mm for ' + p.needle);
        if (depth < p.depthMin || depth > p.depthMax) throw protoError(OUT_OF_RANGE, 'depth ' + depth + ' mm is outside preset ' + p.name + ' (' + p.depthMin + '..' + p.depthMax + ')');
        if (rate < p.rateMin || rate > p.rateMax) throw protoError(OUT_OF_RANGE, 'rate ' + rate + ' is outside preset ' + p.name + ' (' + p.rateMin + '..' + p.rateMax + ')');
        const next: Settings = {
          preset: presetIndex, depth: depth, rate: rate, pedal: patched(b, s, 'pedal'), autoOffMin: patched(b, s, 'autoOffMin'),
          maxRunMin: patched(b, s, 'maxRunMin'), idleInAir: patched(b, s, 'idleInAir'), limits: s.limits,
        };
        if (!pen.setSettings(next)) throw protoError(INTERNAL, 'flash write failed: nothing changed');
        return this.request('getConfig', b);
      }
      case 'getPresets':
        return { presets: pen.presets };
      case 'setPreset': {
        const list = pen.presets.slice();
        const n = b.index;
        if (n > list.length) throw protoError(OUT_OF_RANGE, 'index ' + n + ': presets are 0..' + (list.length - 1) + ' (append at ' + list.length + ')');
        const p: Preset = b.preset;
        const limit = limitFor(s, p);
        if (p.depth > limit) throw protoError(OUT_OF_RANGE, 'preset depth ' + p.depth + BEYOND_LIMIT + limit + ' mm for ' + p.needle);
        if (!isPreset(p)) throw protoError(OUT_OF_RANGE, 'preset outside the pen ranges');
        list[n] = p;
        if (!pen.setPresets(list)) throw protoError(INTERNAL, 'preset rejected, or the flash write failed: nothing changed');
        if (n === s.preset) pen.selectPreset(n);
        return { presets: pen.presets };
      }
      case 'deletePreset': {
        const n = b.index;
        if (n >= pen.presets.length) throw protoError(OUT_OF_RANGE, 'no preset ' + n);
        if (pen.presets.length === 1) throw protoError(NOT_ALLOWED, 'the last preset cannot be deleted');
        if (n === s.preset) throw protoError(NOT_ALLOWED, 'preset ' + n + ' is active: select another first');
        const list = pen.presets.slice();
        list.splice(n, 1);
        if (!pen.setPresets(list)) throw protoError(INTERNAL, 'flash write failed: nothing changed');
        if (n < s.preset) {
          s.preset--;
          pen.setSettings(s); // in RAM even if this write fails: the index must follow the list
        }
        return { presets: pen.presets };
      }
      case 'setLimit': {
        if (pen.isRunning()) throw protoError('BUSY', 'stop the run before changing a hard limit');
        const limits: { [n: string]: number } = {};
        for (const k in s.limits) limits[k] = s.limits[k];
        limits[b.needle] = b.maxDepth;
        const next: Settings = {
          preset: s.preset, depth: s.depth, rate: s.rate, pedal: s.pedal, autoOffMin: s.autoOffMin,
          maxRunMin: s.maxRunMin, idleInAir: s.idleInAir, limits: limits,
        };
        // the practitioner setting follows a lowered limit
        const lim = limitFor(next, pen.preset());
        if (next.depth > lim) next.depth = lim;
        if (!pen.setSettings(next)) throw protoError(INTERNAL, 'flash write failed: nothing changed');
        return this.request('getLimits', b);
      }
      case 'getLimits': {
        const out: any[] = [];
        for (let n = 0; n < NEEDLES.length; n++) {
          const l = pen.prefs.limits[NEEDLES[n]];
          out.push({ needle: NEEDLES[n], maxDepth: typeof l === 'number' ? l : 2 });
        }
        return { limits: out };
      }
      case 'getCounters': {
        const c = pen.counters;
        return {
          cStrokes: c.cStrokes, cDots: c.cDots, cRunS: Math.floor(c.cRunS), strokes: c.strokes,
          runS: Math.floor(c.runS), faults: pen.supervisor.faultCount, cartridges: c.cartridges,
        };
      }
      case 'clearFaults': {
        const why = pen.clearFault();
        if (why) throw protoError(NOT_ALLOWED, why);
        return this.request('getFaults', b);
      }
      case 'getFaults': {
        const log = pen.supervisor.log;
        const out: any[] = [];
        for (let n = Math.max(0, log.length - FAULT_LOG_MAX); n < log.length; n++) {
          out.push({ code: log[n].c, t: Math.round(log[n].t), ctx: clipText(log[n].x) });
        }
        return { active: pen.supervisor.latchedFault, faults: out };
      }
      case 'runStart': {
        if (busy) throw protoError('BUSY', 'a calibration primitive is active: runStop first');
        if (pen.supervisor.penState === STATE.FAULT) throw protoError(NOT_ALLOWED, 'fault ' + pen.supervisor.latchedFault + ' latched');
        const why = pen.startHostRun(b.depth, b.rate, b.maxS, b.openLoop === true);
        if (why) throw protoError(why.indexOf('beyond') >= 0 ? OUT_OF_RANGE : NOT_ALLOWED, why);
        return { running: true };
      }
      case 'runStop':
        if (prim) prim.abort('stopped by runStop');
        if (pen.isRunning()) pen.stop();
        return { running: false };
      case 'hold':
        return slow(function (done) {
          return prim.hold(b.duty, b.settleMs !== undefined ? b.settleMs : HOLD_SETTLE_MS, done);
        });
      case 'sweep':
        return slow(function (done) {
          return prim.sweep(b.duties, b.dwellMs, done);
        });
      case 'capture':
        return slow(function (done) {
          return prim.capture(b.rate, b.duty, b.n !== undefined ? b.n : CAPTURE_DEFAULT_N, done, b.ch === 'current');
        });
      case 'sensors':
        return readSensors(pen.io);
      case 'calWrite': {
        if (pen.isRunning() || busy) throw protoError('BUSY', 'stop first');
        const cal: Calibration = b.cal;
        const stepper = pen.io.driveKind === 'stepper';
        if (cal.meta.serial !== this.id.serial) throw protoError(NOT_ALLOWED, 'calibration is for ' + cal.meta.serial + ', this pen is ' + this.id.serial);
        if (cal.hall.mmPerUnit <= 0) throw protoError(OUT_OF_RANGE, 'hall.mmPerUnit must be positive on this hardware');
        if (cal.stroke && cal.stroke.push <= 0) throw protoError(OUT_OF_RANGE, 'stroke.push must be above 0');
        if (stepper ? !cal.stage : !cal.stroke) throw protoError('BAD_FIELD', 'a ' + pen.io.driveKind + ' pen needs ' + (stepper ? 'stage' : 'stroke'));
        const why = pen.writeCalibration(cal, b.trial === true);
        if (why) throw protoError(why.indexOf('malformed') >= 0 ? OUT_OF_RANGE : INTERNAL, why);
        return { status: pen.calStatus };
      }
      case 'calRestore': {
        if (pen.isRunning() || busy) throw protoError('BUSY', 'stop first');
        const prev = pen.records.loadPrevious('cal', CALIBRATION_VERSION);
        if (prev.status !== 'ok' || !isCalibration(prev.data)) throw protoError(NOT_ALLOWED, 'no previous calibration');
        const why = pen.writeCalibration(prev.data);
        if (why) throw protoError(NOT_ALLOWED, why);
        return this.request('calRead', b);
      }
      case 'calRead':
        return { status: pen.calStatus, cal: pen.cal || null };
      case 'tlmSub':
        pen.telemetryEvery = b.every;
        pen.telemetryPerStroke = b.perStroke === true;
        return;
      case 'tlmUnsub':
        pen.telemetryEvery = 0;
        return;
      case 'reboot':
        pen.estop();
        this.o.reset();
        return;
    }
    throw protoError(INTERNAL, 'no handler for ' + i);
  }
}

/** Wrap a primitive in a Promise; its refusal is a NOT_ALLOWED error. */
function slow(start: (done: (err: any, reply?: any) => void) => string): any {
  let why = '';
  const p = new Promise(function (resolve, reject) {
    why = start(function (err, reply) {
      if (err) reject(err);
      else resolve(reply);
    });
  });
  if (why) throw protoError(NOT_ALLOWED, why);
  return p;
}
