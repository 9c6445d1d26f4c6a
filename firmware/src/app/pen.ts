// The pen: wires the supervisor, the depth and rate loops, the handset, persistence
// and telemetry around a PenIo. Runs once per sample block (a few strokes) while
// running, and on an 8 Hz housekeeping tick; never per sample.
import { PenIo } from './pen-io';
import { Settings, Preset, DEFAULT_PRESETS, defaultSettings, limitFor, clamp, roundDepth, isPreset } from './settings';
import { Counters, zeroCounters, isCounters } from './counters';
import { RecordStore } from '../store/record-store';
import { Calibration, CALIBRATION_VERSION, HallCalibration, isCalibration } from '../control/calibration';
import { hallAt, resistanceFactor } from '../control/coil-temperature';
import { analyseBlock, strokesPerBlock, BlockResult, newBlockResult } from '../control/block-analysis';
import { VoiceCoilDepthController } from '../control/voice-coil-depth';
import { StageDepthController, STAGE_TRAVEL_STEPS } from '../control/stage-depth';
import { CamSpeedController, CAM_START_HZ, CAM_SLIP_RATIO } from '../control/cam-speed';
import { Supervisor } from '../safety/supervisor';
import { FAULT, STATE, WARN, faultNeedsTechnician } from '../safety/fault-codes';
import { ledColour } from '../ui/led-patterns';

export const SETTINGS_VERSION = 1;
export const PRESETS_VERSION = 1;
export const COUNTERS_VERSION = 1;

/** Safety thresholds (docs/safety.md). */
export const LIMITS = {
  /** a stroke measured beyond the hard limit by more than this is a fault, mm */
  depthMarginMm: 0.05,
  /** Hall reading outside this band of full scale: sensor disconnected or shorted */
  rawLow: 0.03 * 65535,
  rawHigh: 0.97 * 65535,
  /**
   * a stroke's bottom standing this far above its neighbouring samples (block mean, raw units:
   * 0.02 FS) is noise, not a needle: at most 0.010 FS for any stroke over the accuracy matrix,
   * ≥ 0.023 FS in 99 % of blocks with 0.03 FS of noise on the Hall signal
   */
  hallSharpRaw: 0.02 * 65535,
  /** consecutive noisy blocks that latch (one noisy block may be a spike) */
  noisyBlocks: 3,
  /** block travel below this while driving: the needle is not moving, mm */
  minTravelMm: 0.15,
  /** mean coil current above this, A (the bridge chops at 2 A) */
  maxCoilA: 1.6,
  /** needle not moving while driving and less current than this across a stroke: coil open, A */
  openCoilA: 0.03,
  /**
   * needle not moving, current flowing, and within this of where the springs hold it with the
   * drive off: the coil makes no force (shorted), mm. Held further out, it is jammed.
   */
  restBandMm: 0.1,
  maxCoilC: 90,
  underVoltageV: 6.0,
  lowBatteryV: 6.4,
  /** depth error beyond this for trackingBlocks consecutive blocks after settling, mm */
  trackingMm: 0.35,
  trackingBlocks: 6,
  /** index revolutions later than this many expected periods: stall */
  stallPeriods: 4,
  /** blocks in air before idling down */
  airBlocks: 10,
};

/** Counter writes: at most this often while running, s (flash wear). */
export const COUNTER_SAVE_S = 60;
/** Host-driven runs stop when heartbeats stop for this long, s (protocol HEARTBEAT_TIMEOUT). */
export const HEARTBEAT_TIMEOUT_S = 0.15;
const TICK_MS = 125;

/** Thermal estimate of the coil: first order, driven by the I²R the pen itself commands. */
const THERMAL = { rthCPerW: 25, tauS: 60, ambientC: 25 };

export interface TelemetryRecord {
  t: number; set: number; meas: number; rate: number; drive: number; amps: number; temp: number;
  state: number; fault: number; skin: number; n: number; warn: number;
}

export interface PenEvents {
  /** state or fault changed */
  state?(state: number, fault: number): void;
  /** telemetry record (when subscribed); `strokeUm` the per-stroke depths of the last block, µm */
  telemetry?(rec: TelemetryRecord, strokeUm: number[]): void;
  /** a fault latched: code, seconds since boot, context */
  fault?(code: number, t: number, ctx: string): void;
  /** warnings changed */
  warn?(warn: number): void;
}

export class Pen {
  io: PenIo;
  store: RecordStore;
  sup: Supervisor;
  settings: Settings = defaultSettings();
  presets: Preset[] = DEFAULT_PRESETS.slice();
  counters: Counters = zeroCounters();
  cal: Calibration | undefined;
  calStatus = 'missing';
  events: PenEvents = {};
  warn = 0;
  /** host-driven run (SERVICE or bench): needs heartbeats */
  hostRun = false;
  lastHeartbeat = 0;
  telemetryEvery = 0;
  /** last block's figures */
  last: TelemetryRecord = { t: 0, set: 0, meas: 0, rate: 0, drive: 0, amps: 0, temp: 25, state: 0, fault: 0, skin: 0, n: 0, warn: 0 };
  /** open the depth/rate loops (benchmark comparison with today's open-loop machines) */
  openLoop = false;
  /** called whenever the pen is made safe (service primitives stop too) */
  onSafe: (() => void) | undefined;
  /** called on every housekeeping tick (the handset's hold timers) */
  onTick: ((now: number) => void) | undefined;

  private vc: VoiceCoilDepthController | undefined;
  private stage: StageDepthController | undefined;
  private cam: CamSpeedController | undefined;
  private block: BlockResult = newBlockResult();
  /** the Hall calibration at the coil's temperature now (voice coil: the magnet sits on the coil former) */
  private hallNow: HallCalibration = { offset: 0, mmPerUnit: 1 };
  /** per-stroke depths of the last records, µm, for per-stroke telemetry */
  private strokeUm: number[] = [];
  /** setpoints of a host-driven run (SERVICE or bench), else the practitioner's settings apply */
  private hostSet = { depth: 0, rate: 0, endS: 0 };
  /** calibration in flash (a trial calibration in SERVICE replaces `cal` in RAM only) */
  private savedCal: Calibration | undefined;
  private k = 3;
  /** stroke rate the sampling runs at */
  private rateNow = 0;
  /** a setpoint change waiting for the end of the block (retune) */
  private retunePending = false;
  /** stepper: the stage approach and the cam ramp are done at this time, s */
  private settleT = 0;
  private runStart = 0;
  private blocks = 0;
  private airBlocks = 0;
  private noisyBlocks = 0;
  /** blocks still to come whose in-skin test a transient spoils (the start, a retune) */
  private transientBlocks = 0;
  /** strokes of such blocks: they count as dots, or not, with the next settled block */
  private pendingDots = 0;
  private pendingSkin = false;
  private trackingBlocks = 0;
  private lastSave = 0;
  private lastActivity = 0;
  private tick = 0;
  private tempEst = THERMAL.ambientC;
  private telCount = 0;
  private lastBlockT = 0;
  /** where the needle rests with the drive off (the Hall at the start of the run), mm */
  private restMm = 0;
  private probeTimer = 0;
  private dirty = false;

  constructor(io: PenIo, store: RecordStore) {
    this.io = io;
    this.store = store;
    const self = this;
    this.sup = new Supervisor({
      makeSafe() {
        self.safe();
      },
      changed(state, fault) {
        if (self.events.state) self.events.state(state, fault);
      },
      latched(code, t, ctx) {
        if (self.events.fault) self.events.fault(code, t, ctx);
      },
    });
  }

  /** Load records, check the hardware, settle the state, start housekeeping. */
  boot(): void {
    const s = this.store.load('set', SETTINGS_VERSION);
    const p = this.store.load('pre', PRESETS_VERSION);
    const c = this.store.load('cnt', COUNTERS_VERSION);
    const cal = this.store.load('cal', CALIBRATION_VERSION);
    let corrupt = '';
    if (s.status === 'ok') this.settings = s.data;
    else if (s.status === 'corrupt') corrupt += 'settings ';
    if (p.status === 'ok' && Array.isArray(p.data) && p.data.length) this.presets = p.data;
    else if (p.status === 'corrupt') corrupt += 'presets ';
    if (c.status === 'ok' && isCounters(c.data)) this.counters = c.data;
    else if (c.status === 'corrupt') corrupt += 'counters ';
    if (cal.status === 'ok' && isCalibration(cal.data)) {
      this.useCalibration(cal.data);
      this.savedCal = cal.data;
    }
    else this.calStatus = cal.status === 'ok' ? 'corrupt' : cal.status;
    this.sup.cartridge = this.io.cartridgePresent();
    const wasRunning = c.status === 'ok' && (c.data as any).running;
    this.io.driveOff();
    // the stage may be anywhere after a reset: run it home against its switch
    if (this.io.variant === 'stepper') this.io.stageHome(STAGE_TRAVEL_STEPS);
    const now = this.io.now();
    if (corrupt) this.sup.latch(FAULT.STORAGE_CORRUPT, now, corrupt.trim());
    else if (this.calStatus === 'corrupt') this.sup.latch(FAULT.STORAGE_CORRUPT, now, 'calibration');
    else if (!this.cal) this.sup.latch(FAULT.UNCALIBRATED, now, 'no calibration');
    if (wasRunning) {
      // the previous session ended while running without a clean stop: reset by watchdog or brown-out
      const v = this.io.supplyV();
      this.sup.latch(v < LIMITS.lowBatteryV ? FAULT.BROWN_OUT : FAULT.WATCHDOG, now, 'reset while running, supply ' + v.toFixed(2) + ' V');
      this.counters.running = false;
      this.saveCounters();
    }
    this.sup.evaluate();
    this.lastActivity = now;
    const self = this;
    this.io.every(TICK_MS, function () {
      self.housekeeping();
    });
  }

  useCalibration(cal: Calibration): void {
    this.cal = cal;
    this.calStatus = 'ok';
    this.sup.calibrated = true;
    this.hallNow.offset = cal.hall.offset;
    this.hallNow.mmPerUnit = cal.hall.mmPerUnit;
    if (cal.stroke) this.vc = new VoiceCoilDepthController(cal.stroke, cal.gains.kp, cal.gains.ki);
    if (cal.stage) {
      this.stage = new StageDepthController(cal.stage, cal.gains.ki);
      this.cam = new CamSpeedController(cal.stage.stepsPerRev, cal.stage.lobes);
    }
  }

  preset(): Preset {
    return this.presets[this.settings.preset] || this.presets[0];
  }

  limit(): number {
    return limitFor(this.settings, this.preset());
  }

  /** Drive off and needle retracted; stops sampling. Called by the supervisor on every fault. */
  safe(): void {
    this.io.driveOff();
    this.stopProbe();
    this.io.sampleStop();
    // a run that ends in a fault teaches the depth loop nothing: it may have learned the fault
    if (this.vc) this.vc.abandon();
    this.homeStage();
    if (this.sup && this.running()) this.endRunBookkeeping();
    this.hostRun = false;
    if (this.onSafe) this.onSafe();
  }

  /** Stepper: the depth stage runs home, the needle tip ends inside the cartridge. */
  private homeStage(): void {
    if (this.io.variant !== 'stepper') return;
    this.io.stageHome(this.stage ? this.stage.position : STAGE_TRAVEL_STEPS);
    if (this.stage) this.stage.homed();
  }

  private endRunBookkeeping(): void {
    if (this.pendingSkin) this.counters.cDots += this.pendingDots;
    this.pendingDots = 0;
    const dt = this.io.now() - this.runStart;
    this.counters.cRunS += dt;
    this.counters.runS += dt;
    this.counters.running = false;
    this.counters.faults = this.sup.faultCount;
    this.saveCounters();
  }

  /** Is the needle stroking (a practitioner run, or a host-driven run in SERVICE)? */
  running(): boolean {
    return this.sup.state === STATE.RUNNING || (this.sup.state === STATE.SERVICE && this.hostRun);
  }

  /**
   * Why the needle may not move in SERVICE (runs and calibration primitives), or ''. Only a
   * missing/corrupt calibration may stay latched: that is what a technician is fixing.
   */
  serviceMotionBlocker(): string {
    if (!this.sup.cartridge) return 'no cartridge';
    if (this.sup.fault !== FAULT.NONE && !faultNeedsTechnician(this.sup.fault)) return 'fault ' + this.sup.fault + ' latched: clear it first';
    return '';
  }

  /** Why a run in SERVICE may not start, or '': it also needs a (possibly trial) calibration. */
  serviceBlocker(): string {
    return this.cal ? this.serviceMotionBlocker() : 'not calibrated';
  }

  /** A host-driven run (SERVICE or bench build) at its own setpoints, for at most maxS seconds. */
  startHostRun(depth: number, rate: number, maxS: number, openLoop: boolean): string {
    if (this.running()) return 'already running';
    if (depth > this.limit()) return 'depth ' + depth + ' mm is beyond the hard limit ' + this.limit() + ' mm';
    this.hostSet.depth = depth;
    this.hostSet.rate = rate;
    this.hostSet.endS = this.io.now() + maxS;
    this.openLoop = openLoop;
    return this.start(true);
  }

  /** Start a run (handset, or host in SERVICE/bench). Returns '' or why not. */
  start(byHost: boolean): string {
    if (this.running()) return '';
    const inService = this.sup.state === STATE.SERVICE;
    if (inService && !byHost) return 'in SERVICE mode';
    const why = inService ? this.serviceBlocker() : this.sup.run();
    if (why) return why;
    this.hostRun = byHost;
    // open loop is a host diagnostic (startHostRun sets it); a handset run always closes the loops
    if (!byHost) this.openLoop = false;
    this.lastHeartbeat = this.io.now();
    this.runStart = this.io.now();
    this.lastSave = this.runStart;
    this.lastBlockT = this.runStart;
    this.blocks = 0;
    this.retunePending = false;
    this.coilTemp(this.io.coilTempC());
    this.restMm = (this.io.hallRaw() - this.hallNow.offset) * this.hallNow.mmPerUnit;
    this.airBlocks = 0;
    this.noisyBlocks = 0;
    this.transientBlocks = 2;
    this.pendingDots = 0;
    this.trackingBlocks = 0;
    // a telemetry record covers strokes of this run only (a partial one from the last run is dropped)
    this.telCount = 0;
    this.strokeUm = [];
    this.counters.running = true;
    this.saveCounters();
    this.applySetpoints(true);
    return '';
  }

  stop(): void {
    if (this.running()) {
      // stepper: the cam ramps down (no lost steps) while the stage runs home
      if (this.io.variant === 'stepper') this.io.camRun(0);
      else this.io.driveOff();
      this.homeStage();
      this.io.sampleStop();
      if (this.vc) this.vc.stop();
      this.endRunBookkeeping();
      // a host run in SERVICE stays in SERVICE
      if (this.sup.state === STATE.RUNNING) this.sup.stop();
    }
    this.stopProbe();
    this.hostRun = false;
    this.retunePending = false;
    this.setWarn(this.warn & ~(WARN.DEPTH_NOT_REACHED | WARN.IN_AIR));
  }

  /** Depth setpoint now, mm (never beyond the hard limit). */
  setDepth(): number {
    return this.setDepthWithin(this.limit());
  }

  /** The same, with the hard limit already looked up (the per-block path). */
  private setDepthWithin(limit: number): number {
    return Math.min(this.hostRun ? this.hostSet.depth : this.settings.depth, limit);
  }

  setRate(): number {
    return this.hostRun ? this.hostSet.rate : this.settings.rate;
  }

  /** Push the current setpoints to the loops and (re)start the hardware stroke clock. */
  private applySetpoints(starting: boolean): void {
    const rate = this.setRate();
    const depth = this.setDepth();
    const supply = this.io.supplyV();
    const k = strokesPerBlock(rate);
    const self = this;
    // the sample rate follows the stroke rate: a block spans exactly k strokes
    const restartSampling = starting || k !== this.k || rate !== this.rateNow;
    this.k = k;
    this.rateNow = rate;
    if (this.vc && this.cal && this.cal.stroke) {
      this.vc.openLoop = this.openLoop;
      this.vc.configure(depth, this.limit(), rate);
      // a retune keeps the drive of the last block until the next measurement
      const duty = starting ? this.vc.start(supply) : this.vc.retuneDuty(supply);
      this.io.strokeStart(rate, this.cal.stroke.push, duty);
    } else if (this.stage && this.cam) {
      this.stage.openLoop = this.openLoop;
      this.cam.openLoop = this.openLoop;
      this.stage.configure(depth, this.limit());
      const stageMs = this.io.stageMove(starting ? this.stage.approach() : this.stage.retune());
      const camMs = this.io.camRun(this.cam.configure(rate));
      // the loops wait until the stage has arrived and the cam's ramp is done, and a block more
      this.settleT = this.io.now() + (stageMs > camMs ? stageMs : camMs) / 1000 + (2 * k) / rate;
    }
    if (restartSampling) {
      this.io.sample(rate, k, function (buf) {
        self.onBlock(buf);
      });
    }
  }

  /**
   * Handset or host changed depth/rate/preset while running: retune without stopping, at the
   * end of the block in progress. A block ends where a stroke starts (sampling and stroke clock
   * start together), so the stroke clock restarts there without cutting a push short, and every
   * block is measured at one drive: the block in progress teaches the loop at the old setpoint,
   * the next one at the new.
   */
  retune(): void {
    if (this.running()) this.retunePending = true;
  }

  /** One block of Hall samples (k strokes) arrived. */
  onBlock(buf: Uint16Array): void {
    const now = this.io.now();
    const cal = this.cal;
    if (!cal) return;
    const r = analyseBlock(buf, this.hallNow, this.k, this.block);
    const rate = this.setRate();
    const limit = this.limit();
    this.blocks++;
    const stepper = this.io.variant === 'stepper';
    // stepper: the stage approach and the cam ramp are over (the loops and the travel check wait for it)
    const settled = !stepper || now >= this.settleT;
    // --- safety first: every check can latch and make safe before anything else runs
    // The bottom of every stroke must lie within the Hall sensor's range. The stepper's cam
    // stroke (2.5 mm) is longer than that range at shallow stage positions: its retracted
    // end may sit on the sensor's output rail (docs/hardware.md), so only the bottom counts
    // there; a disconnected or shorted sensor puts the bottom on a rail too.
    if (r.rawMax > LIMITS.rawHigh || r.rawMax < LIMITS.rawLow || (!stepper && r.rawMin < LIMITS.rawLow)) {
      return this.sup.latch(FAULT.SENSOR_RANGE, now, 'hall raw ' + r.rawMin + '..' + r.rawMax);
    }
    if (r.peakMm > limit + LIMITS.depthMarginMm) return this.sup.latch(FAULT.DEPTH_LIMIT, now, 'depth ' + r.peakMm.toFixed(3) + ' mm, limit ' + limit);
    // voice coil: the needle bar is a mass on springs, the bottom of its stroke is smooth. Bottoms
    // that stand far above their neighbouring samples, block after block, are noise on the Hall
    // signal (a cable, its shield, the supply): the depth it reads cannot be trusted (docs/safety.md
    // H2b). The stepper's cam-driven bottom is not that smooth (not measured here: not checked)
    this.noisyBlocks = !stepper && r.sharpRaw > LIMITS.hallSharpRaw ? this.noisyBlocks + 1 : 0;
    if (this.noisyBlocks >= LIMITS.noisyBlocks) return this.sup.latch(FAULT.SENSOR_RANGE, now, 'hall noisy: stroke bottoms ' + (r.sharpRaw / 65535).toFixed(3) + ' FS above their neighbours');
    if (this.blocks > 1 && r.rawMax === r.rawMin) return this.sup.latch(FAULT.SENSOR_STUCK, now, 'hall frozen at ' + r.rawMax);
    if (this.blocks > 1 && settled && r.peakMm - r.troughMm < LIMITS.minTravelMm) {
      if (stepper) return this.sup.latch(FAULT.STALL, now, 'travel ' + (r.peakMm - r.troughMm).toFixed(3) + ' mm');
      // voice coil: the needle does not move while driven. Why it does not is in the coil
      // current across one stroke (open coil, shorted coil or jam: docs/safety.md H4–H6), which
      // latches within that stroke; the loop learns nothing from such a block
      if (!this.probeTimer) this.probeCurrent(rate, (r.peakMm + r.troughMm) / 2, r.peakMm - r.troughMm);
      return;
    }
    if (this.hostRun && now - this.lastHeartbeat > HEARTBEAT_TIMEOUT_S) return this.sup.latch(FAULT.LINK_LOST, now, 'no heartbeat for ' + (now - this.lastHeartbeat).toFixed(3) + ' s');
    const supply = this.io.supplyV();
    if (supply < LIMITS.underVoltageV) return this.sup.latch(FAULT.UNDER_VOLTAGE, now, 'supply ' + supply.toFixed(2) + ' V');
    let amps = 0;
    const dt = now - this.lastBlockT;
    this.lastBlockT = now;
    if (this.io.variant === 'voiceCoil') {
      amps = this.io.coilAmps();
      if (amps > LIMITS.maxCoilA) return this.sup.latch(FAULT.OVER_CURRENT, now, 'coil ' + amps.toFixed(2) + ' A');
      const r0 = cal.actuator ? cal.actuator.r : 4;
      this.tempEst += ((THERMAL.ambientC + amps * amps * r0 * THERMAL.rthCPerW - this.tempEst) * dt) / THERMAL.tauS;
    }
    if ((this.blocks & 7) === 1) this.coilTemp(this.io.coilTempC());
    if (this.last.temp > LIMITS.maxCoilC || this.tempEst > LIMITS.maxCoilC) {
      return this.sup.latch(FAULT.OVER_TEMP, now, 'coil ' + this.last.temp.toFixed(1) + ' C, estimate ' + this.tempEst.toFixed(1) + ' C');
    }
    let period = 0;
    if (this.cam) {
      // the average revolution period over this block (read every block, so it covers this block only)
      period = this.io.indexPeriod();
      const age = this.io.indexAge();
      // while ramping the cam may turn as slowly as the ramp's start
      if (age > LIMITS.stallPeriods * (settled ? this.cam.period() : this.cam.stepsPerRev / CAM_START_HZ)) {
        return this.sup.latch(FAULT.STALL, now, 'no cam index for ' + age.toFixed(3) + ' s');
      }
      if (settled && period > CAM_SLIP_RATIO * this.cam.period()) {
        return this.sup.latch(FAULT.STALL, now, 'cam slipping: ' + (this.cam.lobes / period).toFixed(1) + ' strokes/s of ' + rate);
      }
    }
    const setMm = this.setDepthWithin(limit);
    const err = setMm - r.meanMm;
    const tracked = stepper ? settled : this.blocks > 10;
    // a block before a pending retune ran at the old setpoint: it says nothing about tracking the new one
    this.trackingBlocks = Math.abs(err) > LIMITS.trackingMm && tracked && !this.openLoop && !this.retunePending ? this.trackingBlocks + 1 : 0;
    if (this.trackingBlocks >= LIMITS.trackingBlocks) return this.sup.latch(FAULT.TRACKING, now, 'depth error ' + err.toFixed(3) + ' mm');

    // --- control
    let inSkin = true;
    let drive = 0;
    let warn = this.warn & ~(WARN.DEPTH_NOT_REACHED | WARN.IN_AIR);
    if (this.vc) {
      const step = this.vc.update(r.meanMm, supply, r.strokeMm[this.k - 1]);
      inSkin = step.inSkin;
      drive = step.duty;
      if (step.notReached) warn |= WARN.DEPTH_NOT_REACHED;
      if (!this.retunePending) this.io.strokeDuty(step.duty);
    } else if (this.stage && this.cam) {
      // the cam drives the needle positively: skin does not change the stroke's shape, so
      // the Hall cannot tell skin from air and every stroke counts as a dot (docs/control.md)
      if (settled) {
        const move = this.stage.update(r.meanMm);
        if (move) this.io.stageMove(move);
        if (period > 0) this.io.camRun(this.cam.update(period));
      }
      drive = this.stage.level();
    }
    this.airBlocks = inSkin ? 0 : this.airBlocks + 1;
    if (this.airBlocks >= LIMITS.airBlocks) warn |= WARN.IN_AIR;
    if (warn !== this.warn) this.setWarn(warn);

    // --- counters and telemetry
    const k = this.k;
    const c = this.counters;
    c.cStrokes += k;
    c.strokes += k;
    // the first two blocks of a run (the first stroke from rest, the soft start's correction) and
    // the block after a retune (a drive step) carry a transient the in-skin test misreads: their
    // strokes count as dots, or not, with the next settled block
    if (this.transientBlocks > 0) {
      this.transientBlocks--;
      this.pendingDots += k;
      this.pendingSkin = inSkin;
    } else {
      if (inSkin) c.cDots += k + this.pendingDots;
      this.pendingDots = 0;
    }
    this.lastActivity = now;
    const rec = this.last;
    rec.t = Math.round(now * 1000);
    rec.set = Math.round(setMm * 1000);
    rec.meas = Math.round(r.meanMm * 1000);
    rec.rate = this.rateNow;
    rec.drive = Math.round(drive * 1000);
    rec.amps = Math.round((amps < 0 ? -amps : amps) * 1000); // telemetry mA is a magnitude (0..20000): braking current flows backwards
    rec.state = this.sup.state;
    rec.fault = this.sup.fault;
    rec.skin = inSkin ? k : 0;
    rec.n = k;
    rec.warn = this.warn;
    if (this.telemetryEvery > 0 && this.events.telemetry) {
      // a record covers at least `telemetryEvery` strokes (whole blocks)
      const su = this.strokeUm;
      for (let j = 0; j < k; j++) su.push(Math.round(r.strokeMm[j] * 1000));
      this.telCount += k;
      if (this.telCount >= this.telemetryEvery) {
        rec.n = this.telCount;
        rec.skin = inSkin ? this.telCount : 0;
        this.telCount = 0;
        this.events.telemetry(rec, su);
        this.strokeUm = []; // a new array: Espruino cannot assign .length
      }
    }
    if (this.retunePending) {
      this.retunePending = false;
      this.applySetpoints(false);
      this.transientBlocks = 1;
    }
  }

  /**
   * A coil thermistor reading. Voice coil: the drive and the Hall reading follow it (a hot
   * coil drives less current per duty, and its magnet gives the Hall less span:
   * control/coil-temperature.ts); the stepper's thermistor sits on the cam motor instead.
   */
  private coilTemp(tC: number): void {
    this.last.temp = tC;
    const cal = this.cal;
    if (!cal || !this.vc) return;
    hallAt(tC, cal.hall, this.hallNow);
    this.vc.coilFactor = resistanceFactor(tC, cal.actuator ? cal.actuator.r : 0);
  }

  /**
   * The needle did not move in a block while driven (at `posMm`, `travel` mm): read the coil
   * current now and three more times a quarter stroke apart (a block ends at a fixed phase of
   * the stroke clock, so one reading proves nothing), then latch what the largest says:
   *   no current                          -> the coil is open: TRACKING ("coil open")
   *   current, needle where it rests      -> the coil draws current but makes no force: a
   *                                          shorted coil, held near the bridge's current limit
   *                                          (limit × duty, under the 1.6 A mean): OVER_CURRENT
   *   current, needle held away from rest -> something holds the needle bar: JAM
   * A bar jammed within restBandMm of its rest reads as a shorted coil; the reaction is the same.
   */
  private probeCurrent(rate: number, posMm: number, travel: number): void {
    const io = this.io;
    const self = this;
    let n = 0;
    let peak = 0;
    function read(): void {
      const a = io.coilAmps();
      const m = a < 0 ? -a : a;
      if (m > peak) peak = m;
      if (++n < 4) return;
      self.stopProbe();
      if (!self.running()) return;
      const why = 'travel ' + travel.toFixed(3) + ' mm at ' + posMm.toFixed(2) + ' mm (rest ' + self.restMm.toFixed(2) + '), coil ' + peak.toFixed(3) + ' A';
      const now = io.now();
      if (peak < LIMITS.openCoilA) self.sup.latch(FAULT.TRACKING, now, 'coil open: ' + why);
      else if (Math.abs(posMm - self.restMm) < LIMITS.restBandMm) self.sup.latch(FAULT.OVER_CURRENT, now, 'coil shorted: ' + why);
      else self.sup.latch(FAULT.JAM, now, why);
    }
    read();
    this.probeTimer = io.every(250 / rate, read);
  }

  private stopProbe(): void {
    if (this.probeTimer) this.io.cancel(this.probeTimer);
    this.probeTimer = 0;
  }

  private setWarn(w: number): void {
    this.warn = w;
    if (this.events.warn) this.events.warn(w);
  }

  /** 8 Hz: watchdog, LED, cartridge, supply, limits on run time, idle power-down, counter batching. */
  housekeeping(): void {
    this.io.kickWatchdog();
    const now = this.io.now();
    const st = this.sup.state;
    this.tick = (this.tick + 1) & 15;
    if (this.onTick) this.onTick(now);
    this.io.led(now - this.lastActivity > this.settings.autoOffMin * 60 ? 0 : ledColour(st, this.sup.fault, this.warn, this.tick));
    if (this.running()) {
      if (this.hostRun && now - this.lastHeartbeat > HEARTBEAT_TIMEOUT_S) {
        this.sup.latch(FAULT.LINK_LOST, now, 'no heartbeat for ' + (now - this.lastHeartbeat).toFixed(3) + ' s');
        return;
      }
      if (this.hostRun && now > this.hostSet.endS) {
        this.stop();
        return;
      }
      if (now - this.runStart > this.settings.maxRunMin * 60) {
        this.stop();
        return;
      }
      if (now - this.lastSave > COUNTER_SAVE_S) {
        this.lastSave = now;
        const dt = now - this.runStart;
        this.counters.cRunS += dt;
        this.counters.runS += dt;
        this.runStart = now;
        this.saveCounters();
      }
    } else if ((this.tick & 7) === 0) {
      const v = this.io.supplyV();
      const low = v < LIMITS.lowBatteryV ? WARN.LOW_BATTERY : 0;
      if ((this.warn & WARN.LOW_BATTERY) !== low) this.setWarn((this.warn & ~WARN.LOW_BATTERY) | low);
    }
    if (this.dirty && st !== STATE.RUNNING) {
      this.dirty = false;
      this.saveCounters();
    }
  }

  // ---- handset and host actions -------------------------------------------------

  /** The cartridge switch changed. Removing it while running is a fault; a new one starts fresh per-cartridge counters. */
  cartridge(present: boolean): void {
    const was = this.sup.cartridge;
    this.sup.cartridge = present;
    if (!present && this.sup.state === STATE.RUNNING) {
      this.sup.latch(FAULT.CARTRIDGE_REMOVED, this.io.now(), 'cartridge switch opened while running');
    }
    if (present && !was) {
      const c = this.counters;
      if (c.cStrokes > 0) {
        c.cartridges++;
        c.cStrokes = 0;
        c.cDots = 0;
        c.cRunS = 0;
        this.dirty = true;
      }
    }
    this.sup.evaluate();
  }

  /** Setpoint changes from the handset, limited to the preset's range. */
  nudgeDepth(deltaMm: number): void {
    const p = this.preset();
    this.settings.depth = roundDepth(clamp(this.settings.depth + deltaMm, p.depthMin, Math.min(p.depthMax, this.limit())));
    this.settingsChanged();
  }

  nudgeRate(delta: number): void {
    const p = this.preset();
    this.settings.rate = clamp(this.settings.rate + delta, p.rateMin, p.rateMax);
    this.settingsChanged();
  }

  selectPreset(index: number): boolean {
    if (index < 0 || index >= this.presets.length) return false;
    const p = this.presets[index];
    this.settings.preset = index;
    this.settings.depth = Math.min(p.depth, this.limit());
    this.settings.rate = p.rate;
    this.settingsChanged();
    return true;
  }

  private settingsChanged(): void {
    this.lastActivity = this.io.now();
    this.retune();
    this.store.save('set', SETTINGS_VERSION, this.settings);
  }

  /** Replace the settings (host, validated before). */
  setSettings(s: Settings): void {
    this.settings = s;
    this.settingsChanged();
  }

  setPresets(list: Preset[]): boolean {
    for (let i = 0; i < list.length; i++) if (!isPreset(list[i])) return false;
    this.presets = list;
    this.store.save('pre', PRESETS_VERSION, list);
    if (this.settings.preset >= list.length) this.selectPreset(0);
    return true;
  }

  saveCounters(): void {
    this.counters.faults = this.sup.faultCount;
    this.store.save('cnt', COUNTERS_VERSION, this.counters);
  }

  /** Write a new calibration (SERVICE). The old one stays in the other slot for restore. */
  writeCalibration(cal: Calibration): string {
    if (!isCalibration(cal)) return 'calibration record is malformed';
    if (!this.store.save('cal', CALIBRATION_VERSION, cal)) return 'flash write failed';
    const back = this.store.load('cal', CALIBRATION_VERSION);
    if (back.status !== 'ok' || JSON.stringify(back.data) !== JSON.stringify(cal)) return 'read-back mismatch';
    this.useCalibration(cal);
    this.savedCal = cal;
    return '';
  }

  /** Use a calibration in RAM only, for verification runs in SERVICE (dropped on leaving SERVICE). */
  tryCalibration(cal: Calibration): string {
    if (!isCalibration(cal)) return 'calibration record is malformed';
    if (this.running()) return 'stop the run first';
    this.useCalibration(cal);
    return '';
  }

  enterService(): string {
    return this.sup.enterService();
  }

  /** Leave SERVICE: stop everything; a trial calibration gives way to the one in flash. */
  leaveService(): void {
    if (this.sup.state !== STATE.SERVICE) return;
    if (this.cal !== this.savedCal) {
      if (this.savedCal) this.useCalibration(this.savedCal);
      else {
        this.cal = undefined;
        this.vc = undefined;
        this.stage = undefined;
        this.cam = undefined;
        this.sup.calibrated = false;
        this.calStatus = this.calStatus === 'corrupt' ? 'corrupt' : 'missing';
      }
    }
    this.sup.leaveService();
  }

  /** Clear the latched fault (handset sequence, or host in SERVICE): '' or why not. */
  clearFault(): string {
    if (this.sup.fault === FAULT.NONE) return 'no fault latched';
    const v = this.io.supplyV();
    if ((this.sup.fault === FAULT.UNDER_VOLTAGE || this.sup.fault === FAULT.BROWN_OUT) && v < LIMITS.underVoltageV) return 'supply still low: ' + v.toFixed(2) + ' V';
    const t = this.io.coilTempC();
    if (this.sup.fault === FAULT.OVER_TEMP && t > LIMITS.maxCoilC - 10) return 'coil still hot: ' + t.toFixed(1) + ' C';
    if (this.sup.fault === FAULT.OVER_TEMP) this.tempEst = t;
    const raw = this.io.hallRaw() * 65535;
    if (this.sup.fault === FAULT.SENSOR_RANGE && (raw > LIMITS.rawHigh || raw < LIMITS.rawLow)) return 'hall sensor still out of range: ' + Math.round(raw);
    if (faultNeedsTechnician(this.sup.fault) && !this.savedCal) return 'needs a technician: write a calibration first';
    return this.sup.clear();
  }

  restoreCalibration(): string {
    const prev = this.store.loadPrevious('cal', CALIBRATION_VERSION);
    if (prev.status !== 'ok' || !isCalibration(prev.data)) return 'no previous calibration';
    return this.writeCalibration(prev.data);
  }

  /** Run/stop held: everything stops and the needle retracts, whatever the state. */
  estop(): void {
    if (this.sup.state === STATE.RUNNING) this.stop();
    else this.safe();
  }

  heartbeat(): void {
    this.lastHeartbeat = this.io.now();
  }
}
