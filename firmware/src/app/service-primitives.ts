// The calibration primitives a technician's host tool drives in SERVICE mode: hold a
// drive level, sweep levels, capture one stroke, read raw sensors. Each is hardware
// work (PWM, Waveform) started once and read back once; JavaScript runs per level or
// per capture, never per sample.
// Safety: motion only in SERVICE, with a cartridge seated and no hardware fault latched
// (a missing calibration may stay latched: that is what is being calibrated). Once the
// pen has a calibration (in flash, or a trial one), every reading is checked against
// the hard depth limit and a reading beyond it latches DEPTH_LIMIT. A hold lasts only
// while the host's heartbeats arrive, like a host-driven run.
import { Pen, LIMITS, HEARTBEAT_TIMEOUT_S } from './pen';
import { PenIo, RAW_HALL, RAW_CURRENT, RAW_NTC, RAW_VSUPPLY, STAGE_STILL } from './pen-io';
import { FAULT, STATE } from '../safety/fault-codes';
import { STAGE_HOLD_STEPS } from '../control/stage-depth';
import { HAS_STEPPER } from './built-drive';

/** Default settle time of a hold, ms. */
export const HOLD_SETTLE_MS = 200;
/** A hold is released after this long whatever the heartbeats (coil heating), s. */
export const HOLD_MAX_S = 30;
/** Readings this far apart (fraction of full scale) 10 ms apart: not settled. */
export const SETTLED_FS = 0.002;
/** Strokes run before a capture starts, so the stroke is periodic. */
export const CAPTURE_SETTLE_STROKES = 20;
export const CAPTURE_DEFAULT_N = 128;
/** Stroke-clock push fraction used when no calibration names one. */
export const DEFAULT_PUSH = 0.45;
/** Stepper defaults (docs/hardware.md) when no calibration is written yet. */
export const CAM_STEPS_PER_REV = 400;
export const CAM_LOBES = 3;

export interface PrimitiveError {
  code: string;
  msg: string;
}

type Done = (err: PrimitiveError | null, reply?: any) => void;

/**
 * The primitives of one SERVICE session: made on entering SERVICE and dropped on leaving.
 * The class is made here, so its methods take no room in the pen's RAM outside SERVICE
 * (docs/control.md, Budgets: memory).
 */
export function createServicePrimitives(pen: Pen) {
  class ServicePrimitives {
    private pen: Pen;
    /** the pending request's completion (one at a time: the dispatcher serialises slow requests) */
    private done: Done | undefined;
    private timer = 0;
    private guard = 0;
    private holdStart = 0;
    /** stepper: stage position of the current hold, steps from home */
    private stageAt = 0;
    holding = false;

    constructor(pen: Pen) {
      this.pen = pen;
    }

    /** Why motion is not allowed now, or ''. */
    blocker(): string {
      if (this.pen.supervisor.penState !== STATE.SERVICE) return 'needs SERVICE mode';
      if (this.pen.isRunning()) return 'a run is in progress';
      return this.pen.serviceMotionBlocker();
    }

    /** Needle protrusion of a raw reading (0..1) beyond the hard limit? Latches DEPTH_LIMIT. */
    private beyondLimit(raw: number): boolean {
      const cal = this.pen.cal;
      if (!cal) return false;
      const mm = (raw - cal.hall.offset) * cal.hall.mmPerUnit;
      const limit = this.pen.limit();
      if (mm <= limit + LIMITS.depthMarginMm) return false;
      this.pen.supervisor.latch(FAULT.DEPTH_LIMIT, this.pen.io.now(), 'service: ' + mm.toFixed(3) + ' mm, limit ' + limit);
      return true;
    }

    /**
     * Apply a level: voice coil drive duty, or stepper stage position (fraction of the hold
     * span, STAGE_HOLD_STEPS). Returns the ms until it is reached (the stage moves at its step rate).
     */
    private level(duty: number): number {
      const io = this.pen.io;
      if (!HAS_STEPPER || io.driveKind !== 'stepper') {
        io.hold(duty);
        return 0;
      }
      const want = Math.round(duty * STAGE_HOLD_STEPS);
      // from where the stage will stand (a run leaves it out; while it homes: from home)
      const at = io.stagePos();
      const ms = io.stageMove(want - (at === at ? at : 0));
      this.stageAt = want;
      return ms;
    }

    /** Mean of 16 Hall readings (0..1): ADC noise down by 4 (a calibration's Hall fit rests on these). */
    private hall(): number {
      const io = this.pen.io;
      let s = 0;
      for (let i = 0; i < 16; i++) s += io.hallRaw();
      return s / 16;
    }

    private begin(done: Done): string {
      const why = this.blocker();
      if (why) return why;
      this.release();
      this.done = done;
      return '';
    }

    private finish(err: PrimitiveError | null, reply?: any): void {
      const d = this.done;
      this.done = undefined;
      if (d) d(err, reply);
    }

    hold(duty: number, settleMs: number, done: Done): string {
      const why = this.begin(done);
      if (why) return why;
      const self = this;
      const io = this.pen.io;
      const ms = this.level(duty);
      this.timer = io.after(ms > settleMs ? ms : settleMs, function () {
        const a = self.hall();
        self.timer = io.after(10, function () {
          self.timer = 0;
          const b = self.hall();
          if (self.beyondLimit(b)) return;
          self.holding = true;
          self.holdStart = io.now();
          self.pen.heartbeat();
          self.guard = io.every(50, function () {
            self.watchHold();
          });
          self.finish(null, { hall: Math.round(b * 65535), settled: Math.abs(a - b) < SETTLED_FS });
        });
      });
      return '';
    }

    /** While holding: heartbeats must keep coming, the reading must stay within the limit, and not for ever. */
    private watchHold(): void {
      const pen = this.pen;
      const now = pen.io.now();
      if (now - pen.lastHeartbeat > HEARTBEAT_TIMEOUT_S) {
        pen.supervisor.latch(FAULT.LINK_LOST, now, 'hold: no heartbeat for ' + (now - pen.lastHeartbeat).toFixed(3) + ' s');
      } else if (now - this.holdStart > HOLD_MAX_S) {
        this.release();
      } else if (!this.coilTrip()) {
        this.beyondLimit(pen.io.hallRaw());
      }
    }

    /**
     * The coil under a primitive's steady drive, which no sample block checks in SERVICE: its
     * current (voice coil) and its thermistor, against a run's limits. True when one latched.
     */
    private coilTrip(): boolean {
      const pen = this.pen;
      const io = pen.io;
      const now = io.now();
      const a = io.driveKind === 'stepper' ? 0 : io.coilAmps();
      if (a > LIMITS.maxCoilA) {
        pen.supervisor.latch(FAULT.OVER_CURRENT, now, 'service: coil ' + a.toFixed(2) + ' A');
        return true;
      }
      const t = io.coilTempC();
      if (t > LIMITS.maxCoilC) {
        pen.supervisor.latch(FAULT.OVER_TEMP, now, 'service: coil ' + t.toFixed(1) + ' C');
        return true;
      }
      return false;
    }

    sweep(duties: number[], dwellMs: number, done: Done): string {
      const why = this.begin(done);
      if (why) return why;
      const self = this;
      const io = this.pen.io;
      const out: number[] = [];
      let i = 0;
      // up to 2 s a level: the coil is watched throughout, as in a hold
      this.guard = io.every(50, function () {
        self.coilTrip();
      });
      function next(): void {
        // the stepper's stage dwells once it has arrived
        self.timer = io.after(self.level(duties[i]) + dwellMs, function () {
          self.timer = 0;
          const h = self.hall();
          if (self.beyondLimit(h)) return;
          out.push(Math.round(h * 65535));
          if (++i < duties.length) return next();
          self.release();
          self.finish(null, { hall: out });
        });
      }
      next();
      return '';
    }

    /** Strokes at rate/duty, then one stroke of n samples of the Hall sensor (or, with `current`, the coil current sense: back-EMF identification). */
    capture(rate: number, duty: number, n: number, done: Done, current?: boolean): string {
      const why = this.begin(done);
      if (why) return why;
      const self = this;
      const pen = this.pen;
      const io = pen.io;
      let ms = 0;
      if (HAS_STEPPER && io.driveKind === 'stepper') {
        // the cam ramps up and the stage moves: the capture waits for both
        const st = pen.cal && pen.cal.stage;
        ms = this.level(duty);
        const camMs = io.camRun((rate / (st ? st.lobes : CAM_LOBES)) * (st ? st.stepsPerRev : CAM_STEPS_PER_REV));
        if (camMs > ms) ms = camMs;
      } else {
        const sm = pen.cal && pen.cal.stroke;
        io.strokeStart(rate, sm ? sm.push : DEFAULT_PUSH, duty);
      }
      this.timer = io.after(ms + (1000 * CAPTURE_SETTLE_STROKES) / rate, function () {
        self.timer = 0;
        const fs = n * rate;
        io.capture(fs, n, function (buf) {
          if (!self.done) return; // aborted meanwhile
          self.release();
          // the limit check needs the needle's position: a current capture checks one Hall
          // reading only (the host captures the Hall at the same rate and duty first)
          if (self.beyondLimit(current ? self.hall() : Math.max.apply(null, buf as any) / 65535)) return;
          const samples: number[] = [];
          for (let i = 0; i < buf.length; i++) samples.push(buf[i]);
          self.finish(null, { fs: fs, samples: samples });
        }, current);
      });
      return '';
    }

    /** Drive off and stage home; timers stopped. A pending request fails with NOT_ALLOWED (why). */
    abort(why: string): void {
      // only a primitive's own motion: the pen's (a run, a stepper's park) is not this layer's
      if (this.active() || this.timer) this.release();
      if (this.done) this.finish({ code: 'NOT_ALLOWED', msg: why });
    }

    private release(): void {
      const io = this.pen.io;
      if (this.timer) io.cancel(this.timer);
      if (this.guard) io.cancel(this.guard);
      this.timer = 0;
      this.guard = 0;
      this.holding = false;
      // a turning cam ramps down (a fault has already cut it: nothing left to ramp)
      if (HAS_STEPPER && io.driveKind === 'stepper') io.camRun(0);
      else io.driveOff();
      if (this.stageAt) {
        io.stageHome();
        this.stageAt = 0;
      }
    }

    /** Something is moving the needle or waiting to. */
    active(): boolean {
      return this.holding || this.done !== undefined;
    }
  }
  return new ServicePrimitives(pen);
}

export type ServicePrimitives = ReturnType<typeof createServicePrimitives>;

/** The raw sense channels, the switches and the cam's index period (the `sensors` request; allowed in any state). */
export function readSensors(io: PenIo): any {
  const p = HAS_STEPPER && io.driveKind === 'stepper' ? io.indexPeriod() : 0;
  return {
    hall: Math.round(io.raw(RAW_HALL) * 65535),
    current: Math.round(io.raw(RAW_CURRENT) * 65535),
    ntc: Math.round(io.raw(RAW_NTC) * 65535),
    vsupply: Math.round(io.raw(RAW_VSUPPLY) * 65535),
    cartridge: io.cartridgePresent(),
    // stepper: home is the switch closed with the stage's homing run over (it steps off the switch and back)
    home: io.homeSwitch() && (io.driveKind !== 'stepper' || io.stageState() === STAGE_STILL),
    indexUs: Math.round(p * 1e6),
  };
}
