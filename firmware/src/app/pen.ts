// The pen: wires the supervisor, the depth and rate loops, the handset, persistence
// and telemetry around a PenIo. Runs once per sample block (a few strokes) while
// running, and on an 8 Hz housekeeping tick; never per sample.
import { PenIo } from './pen-io';
import { Settings, Preset, DEFAULT_PRESETS, defaultSettings, limitFor, clamp, roundDepth, isPreset } from './settings';
import { Counters, zeroCounters, isCounters } from './counters';
import { RecordStore } from '../store/record-store';
import { Calibration, CALIBRATION_VERSION, HallCalibration, isCalibration } from '../control/calibration';
import { hallAt, resistanceFactor } from '../control/coil-temperature';
import { BlockAnalysis, SAMPLES_PER_BLOCK, START_STROKES, strokesPerBlock } from '../control/block-analysis';
import { VoiceCoilDepthController } from '../control/voice-coil-depth';
import { StageDepthController, createStageDepthController } from '../control/stage-depth';
import { CamSpeedController, createCamSpeedController, CAM_START_HZ, CAM_SLIP_RATIO } from '../control/cam-speed';
import { StepperDrive, createStepperDrive, SEQ_TURNING } from './stepper-drive';
import { HAS_STEPPER, HAS_VOICE_COIL } from './built-drive';
import { Supervisor } from '../safety/supervisor';
import { FAULT, STATE, WARN, faultNeedsTechnician } from '../safety/fault-codes';
import { ledColour } from '../ui/led-patterns';
import { TLM_DEPTH_MIN_UM, TLM_STROKE_FIELDS } from '@stipple/protocol/limits';

/** The words of a setpoint past the hard limit, written once (the host's replies say it too). */
export const BEYOND_LIMIT = ' mm is beyond the hard limit ';
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
   * the Hall samples' RMS second difference (raw units: 0.035 FS) beyond which the signal is
   * noise, not a needle bar's smooth stroke (≈ 0.01 FS at 24 samples per stroke; noise of
   * 0.03 FS on every sample makes it 0.073 FS): block-analysis.ts roughness
   */
  hallRoughRaw: 0.035 * 65535,
  /** consecutive rough slow checks that latch (one may be a burst of interference) */
  noisyChecks: 2,
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

/** Hall sensor plausibility band, raw (LIMITS.rawLow/rawHigh). */
const RAW_LOW = LIMITS.rawLow;
const RAW_HIGH = LIMITS.rawHigh;

/** Counter writes: at most this often while running, s (flash wear). */
export const COUNTER_SAVE_S = 60;
/** Host-driven runs stop when heartbeats stop for this long, s (protocol HEARTBEAT_TIMEOUT). */
export const HEARTBEAT_TIMEOUT_S = 0.15;
const TICK_MS = 125;

/** Thermal estimate of the coil: first order, driven by the I²R the pen itself commands. */
const THERMAL = { rthCPerW: 25, tauS: 60, ambientC: 25 };

export interface PenEvents {
  /** state or fault changed */
  state?(state: number, fault: number): void;
  /**
   * A telemetry record (when subscribed): `values` in the protocol's TLM_FIELDS order (the
   * array is reused), `depths` each stroke's bottom in µm when per-stroke depths are asked for,
   * `omit` a mask of fields left out (TLM_STROKE_FIELDS: no stroke was measured).
   */
  telemetry?(values: number[], depths: number[] | undefined, omit?: number): void;
  /** a fault latched: code, seconds since boot, context */
  fault?(code: number, t: number, ctx: string): void;
  /** warnings changed */
  warn?(warn: number): void;
}

export class Pen {
  // The fields the per-block path (onBlock) reads come first (io, a constructor parameter, before
  // them all), each given a value here, an absent one too: Espruino finds a property by walking
  // the object's list of them, so one near the end costs more, and one that is absent costs the
  // whole list and the class's methods (≈ 6 µs on x86, docs/control.md "Budgets").
  private an: BlockAnalysis = new BlockAnalysis(this.io.convolve);
  private blocks = 0;
  /** stepper: the motion sequences (stage homing and positioning, cam probe and park) */
  private stepDrive: StepperDrive | undefined = undefined;
  private vc: VoiceCoilDepthController | undefined = undefined;
  /** per run (applySetpoints, hallFactors): the raw depth-limit and travel thresholds */
  private rawLimit = 0;
  private rawTravel = 0;
  /** consecutive blocks in which the needle did not travel */
  private stillBlocks = 0;
  /** host-driven run (SERVICE or bench): needs heartbeats */
  hostRun = false;
  /** the last block's coil current (A) and drive (duty, or the stepper stage's level) */
  private amps = 0;
  /** Σ I² over the blocks since the last slow check, A² */
  private i2 = 0;
  /** per run: the Hall's zero (raw) and mm per raw unit */
  private z = 0;
  private g = 1;
  /** the last block's mean bottom of stroke, mm */
  measMm = 0;
  /** per run: the set depth, mm */
  private setMm = 0;
  private trackingBlocks = 0;
  /** open the depth/rate loops (benchmark comparison with today's open-loop machines) */
  openLoop = false;
  /** a setpoint change waiting for the end of the block (retune) */
  private retunePending = false;
  private drive = 0;
  private airBlocks = 0;
  warn = 0;
  counters: Counters = zeroCounters();
  /**
   * blocks still to come whose in-skin test a transient spoils (the start, a retune), plus the
   * settled block after them
   */
  private transientBlocks = 0;
  telemetryEvery = 0;
  /** the steady block length at the run's rate (strokes) */
  private blockM = 0;
  records: RecordStore;
  supervisor: Supervisor;
  prefs: Settings = defaultSettings();
  presets: Preset[] = DEFAULT_PRESETS.slice();
  cal: Calibration | undefined;
  calStatus = 'missing';
  handlers: PenEvents = {};
  lastHeartbeat = 0;
  /** telemetry records carry each stroke's depth */
  telemetryPerStroke = false;
  /** called whenever the pen is made safe (service primitives stop too) */
  onSafe: (() => void) | undefined;
  /** called on every housekeeping tick (the handset's hold timers) */
  onTick: ((now: number) => void) | undefined;

  /** one telemetry record, TLM_FIELDS order, reused */
  private tlm = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  /** the Hall calibration at the coil's temperature now (voice coil: the magnet sits on the coil former) */
  private hallNow: HallCalibration = { offset: 0, mmPerUnit: 1 };
  /** per-stroke depths of the last records, µm, for per-stroke telemetry */
  private strokeUm: number[] = [];
  /** setpoints of a host-driven run (SERVICE or bench), else the practitioner's settings apply */
  private hostSet = { depth: 0, rate: 0, endS: 0 };
  /** calibration in flash (a trial calibration in SERVICE replaces `cal` in RAM only) */
  private savedCal: Calibration | undefined;
  private stageCtl: StageDepthController | undefined;
  private cam: CamSpeedController | undefined;
  private limitMm = 2;
  /** coil resistance for the thermal estimate, Ω */
  private coilR = 4;
  /** coil temperature (thermistor), °C */
  private tempC = 25;
  private lastSlowT = 0;
  /** stroke rate the sampling runs at */
  private rateNow = 0;
  private runStart = 0;
  /** when the run began (the max-run-time limit); runStart moves with each counter write */
  private runBegan = 0;
  private noisyBlocks = 0;
  /** strokes of such blocks: they count as dots, or not, with the next settled block */
  private pendingDots = 0;
  private pendingSkin = false;
  /** what the coil current probe across a stroke found (a fault code, 0: nothing yet) and why */
  private probeVerdict = 0;
  private probeWhy = '';
  private lastSave = 0;
  /** the last press, cartridge change, setting or run: the idle LED power-down counts from it */
  lastActivity = 0;
  private tick = 0;
  private tempEst = THERMAL.ambientC;
  private telCount = 0;
  /** stepper: when the last record before the run's strokes went out, s (0: a run's first goes at its first tick; Infinity: strokes reported) */
  private tlmT = 0;
  /** where the needle rests with the drive off (the Hall at the start of the run), mm */
  private restMm = 0;
  private probeTimer = 0;
  private dirty = false;

  constructor(public io: PenIo, store: RecordStore) {
    this.records = store;
    const self = this;

    this.supervisor = new Supervisor({
      makeSafe() {
        self.safe();
      },
      changed(state, fault) {
        if (self.handlers.state) self.handlers.state(state, fault);
        // the latched fault outlives a reset or a power cycle: written when it latches and when
        // a person clears it (after the drive is off and the LED and host are told); a missing or
        // corrupt record is not: every boot finds it again, and a fresh pen writes nothing
        const c = self.counters;
        const keep = fault === FAULT.UNCALIBRATED || fault === FAULT.STORAGE_CORRUPT ? 0 : fault;
        if ((c.latched || 0) !== keep) {
          const log = self.supervisor.log;
          c.latched = keep;
          c.lx = keep ? log[log.length - 1].x : '';
          self.saveCounters();
        }
      },
      latched(code, t, ctx) {
        if (self.handlers.fault) self.handlers.fault(code, t, ctx);
        // a second fault while one is latched: no state change writes the count, so write it here
        if (self.supervisor.penState === STATE.FAULT) self.saveCounters();
      },
    });
    if (HAS_STEPPER && io.driveKind === 'stepper') {
      this.stepDrive = createStepperDrive(io, {
        fault(code, ctx) {
          self.supervisor.latch(code, io.now(), ctx);
        },
        turning() {
          self.startSampling();
        },
      });
    }
  }

  /** Load records, check the hardware, settle the state, start housekeeping. */
  boot(): void {
    const s = this.records.load('set', SETTINGS_VERSION);
    const p = this.records.load('pre', PRESETS_VERSION);
    const c = this.records.load('cnt', COUNTERS_VERSION);
    const cal = this.records.load('cal', CALIBRATION_VERSION);
    let corrupt = '';
    if (s.status === 'ok') this.prefs = s.data;
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
    this.supervisor.cartridgeIn = this.io.cartridgePresent();
    const wasRunning = c.status === 'ok' && (c.data as any).running;
    this.io.driveOff();
    // the stage may be anywhere after a reset: run it home against its switch
    if (this.stepDrive) this.io.stageHome();
    const now = this.io.now();
    // a fault latched before the reset is latched again first (it came first); its record stays as it is
    const held = this.counters.latched;
    if (held) this.supervisor.latch(held, now, 'latched before a reset: ' + this.counters.lx);
    // the lifetime count goes on from the record (the fault latched again was counted when it happened)
    this.supervisor.faultCount = this.counters.faults || 0;
    if (corrupt) this.supervisor.latch(FAULT.STORAGE_CORRUPT, now, corrupt.trim());
    else if (this.calStatus === 'corrupt') this.supervisor.latch(FAULT.STORAGE_CORRUPT, now, 'calibration');
    else if (!this.cal) this.supervisor.latch(FAULT.UNCALIBRATED, now, 'no calibration');
    if (wasRunning) {
      // the previous session ended while running without a clean stop: reset by watchdog or brown-out
      const v = this.io.supplyV();
      this.supervisor.latch(v < LIMITS.lowBatteryV ? FAULT.BROWN_OUT : FAULT.WATCHDOG, now, 'reset while running, supply ' + v.toFixed(2) + ' V');
      this.counters.running = false;
      this.saveCounters();
    }
    this.supervisor.evaluate();
    this.lastActivity = now;
    const self = this;
    this.io.every(TICK_MS, function () {
      self.housekeeping();
    });
  }

  useCalibration(cal: Calibration): void {
    this.cal = cal;
    this.calStatus = 'ok';
    this.supervisor.calibrated = true;
    this.hallNow.offset = cal.hall.offset;
    this.hallNow.mmPerUnit = cal.hall.mmPerUnit;
    this.coilR = cal.actuator ? cal.actuator.r : 4;
    if (HAS_VOICE_COIL && cal.stroke) this.vc = new VoiceCoilDepthController(cal.stroke, cal.gains.kp, cal.gains.ki);
    this.an.locked = !!cal.stroke;
    if (HAS_STEPPER && cal.stage) {
      this.stageCtl = createStageDepthController(cal.stage, cal.gains.ki);
      this.cam = createCamSpeedController(cal.stage.stepsPerRev, cal.stage.lobes);
    }
    if (this.stepDrive) this.stepDrive.use(cal, this.stageCtl, this.cam);
  }

  preset(): Preset {
    return this.presets[this.prefs.preset] || this.presets[0];
  }

  limit(): number {
    return limitFor(this.prefs, this.preset());
  }

  /** Drive off and needle retracted; stops sampling. Called by the supervisor on every fault. */
  safe(): void {
    // stepper: the cam brakes onto its retracted phase (a stalled one is switched off), then the stage runs home
    if (this.stepDrive) this.stepDrive.safe();
    else this.io.driveOff();
    this.stopProbe();
    this.io.sampleStop();
    // a run that ends in a fault teaches the depth loop nothing: it may have learned the fault
    if (this.vc) this.vc.abandon();
    if (this.supervisor && this.isRunning()) this.endRunBookkeeping();
    this.hostRun = false;
    if (this.onSafe) this.onSafe();
  }

  private endRunBookkeeping(): void {
    if (this.pendingSkin) this.counters.cDots += this.pendingDots;
    this.pendingDots = 0;
    const dt = this.io.now() - this.runStart;
    this.counters.cRunS += dt;
    this.counters.runS += dt;
    this.counters.running = false;
    this.counters.faults = this.supervisor.faultCount;
    this.saveCounters();
  }

  /** Is the needle stroking (a practitioner run, or a host-driven run in SERVICE)? */
  isRunning(): boolean {
    return this.supervisor.penState === STATE.RUNNING || (this.supervisor.penState === STATE.SERVICE && this.hostRun);
  }

  /**
   * Why the needle may not move in SERVICE (runs and calibration primitives), or ''. Only a
   * missing/corrupt calibration may stay latched: that is what a technician is fixing.
   */
  serviceMotionBlocker(): string {
    if (!this.supervisor.cartridgeIn) return 'no cartridge';
    if (this.supervisor.latchedFault !== FAULT.NONE && !faultNeedsTechnician(this.supervisor.latchedFault)) return 'fault ' + this.supervisor.latchedFault + ' latched: clear it first';
    return '';
  }

  /** A host-driven run (SERVICE or bench build) at its own setpoints, for at most maxS seconds. */
  startHostRun(depth: number, rate: number, maxS: number, openLoop: boolean): string {
    if (this.isRunning()) return 'already running';
    if (depth > this.limit()) return 'depth ' + depth + BEYOND_LIMIT + this.limit() + ' mm';
    this.hostSet.depth = depth;
    this.hostSet.rate = rate;
    this.hostSet.endS = this.io.now() + maxS;
    this.openLoop = openLoop;
    return this.start(true);
  }

  /** Start a run (handset, or host in SERVICE/bench). Returns '' or why not. */
  start(byHost: boolean): string {
    if (this.isRunning()) return '';
    const inService = this.supervisor.penState === STATE.SERVICE;
    if (inService && !byHost) return 'in SERVICE mode';
    // a run in SERVICE also needs a (possibly trial) calibration
    const why = inService ? (this.cal ? this.serviceMotionBlocker() : 'not calibrated') : this.supervisor.run();
    if (why) return why;
    this.hostRun = byHost;
    // open loop is a host diagnostic (startHostRun sets it); a handset run always closes the loops
    if (!byHost) this.openLoop = false;
    this.lastHeartbeat = this.io.now();
    this.runStart = this.io.now();
    this.runBegan = this.runStart;
    this.lastActivity = this.runStart;
    this.lastSave = this.runStart;
    this.lastSlowT = this.runStart;
    this.i2 = 0;
    this.blocks = 0;
    this.retunePending = false;
    this.coilTemp(this.io.coilTempC());
    this.restMm = (this.io.hallRaw() - this.hallNow.offset) * this.hallNow.mmPerUnit;
    this.airBlocks = 0;
    this.noisyBlocks = 0;
    this.transientBlocks = 3;
    this.pendingDots = 0;
    this.trackingBlocks = 0;
    this.stillBlocks = 0;
    // a telemetry record covers strokes of this run only (a partial one from the last run is dropped)
    this.telCount = 0;
    this.tlmT = 0;
    this.strokeUm = [];
    this.counters.running = true;
    this.saveCounters();
    this.applySetpoints(true);
    return '';
  }

  stop(): void {
    if (this.isRunning()) {
      // stepper: the cam brakes onto its retracted phase (the needle inside the cartridge), the
      // stage stays for the next run, a host's in SERVICE too (its calibration runs back to back)
      if (this.stepDrive) this.stepDrive.stop();
      else this.io.driveOff();
      this.io.sampleStop();
      if (this.vc) this.vc.stop();
      this.endRunBookkeeping();
      // a host run in SERVICE stays in SERVICE
      if (this.supervisor.penState === STATE.RUNNING) this.supervisor.stop();
    }
    this.stopProbe();
    this.hostRun = false;
    this.retunePending = false;
    this.setWarn(this.warn & ~(WARN.DEPTH_NOT_REACHED | WARN.IN_AIR));
  }

  /** Depth setpoint now within the hard limit already looked up, mm. */
  private setDepthWithin(limit: number): number {
    return Math.min(this.hostRun ? this.hostSet.depth : this.prefs.depth, limit);
  }

  /** Push the current setpoints to the loops and (re)start the hardware stroke clock. */
  private applySetpoints(starting: boolean): void {
    const io = this.io;
    const cal = this.cal as Calibration;
    const rate = this.hostRun ? this.hostSet.rate : this.prefs.rate;
    const limit = this.limit();
    const depth = this.setDepthWithin(limit);
    // the sample rate follows the stroke rate: a block spans exactly M strokes
    const restartSampling = starting || rate !== this.rateNow;
    this.rateNow = rate;
    this.blockM = strokesPerBlock(rate, !!this.vc);
    this.setMm = depth;
    this.tlm[1] = Math.round(depth * 1000);
    // the per-block checks compare raw samples with thresholds worked out here (and at a new coil temperature)
    this.limitMm = limit;
    this.hallFactors();
    // a voice-coil run starts with short blocks (the soft start's first correction within the
    // settling strokes), then onBlock moves to the steady length
    if (restartSampling) this.an.configure(starting && this.vc && this.blockM > START_STROKES ? START_STROKES : this.blockM);
    const m = this.an.m;
    if (this.vc && cal.stroke) {
      this.vc.openLoop = this.openLoop;
      this.vc.configure(depth, limit, rate);
      // a retune keeps the drive of the last block until the next measurement
      const duty = starting ? this.vc.start(io.supplyV()) : this.vc.retuneDuty(io.supplyV());
      io.strokeStart(rate, cal.stroke.push, duty);
    } else if (this.stepDrive && this.stageCtl && this.cam) {
      this.stageCtl.openLoop = this.openLoop;
      this.cam.openLoop = this.openLoop;
      // the stage goes to its position before the cam turns; sampling starts with the cam (turning)
      this.stepDrive.run(depth, limit, rate, m / rate, starting);
      if (this.stepDrive.phase !== SEQ_TURNING) return;
    }
    if (restartSampling) this.startSampling();
  }

  /** Block sampling at the run's rate: a block spans exactly M strokes. */
  private startSampling(): void {
    // bound, not wrapped in a closure: a call less per block (≈ 5 µs on x86)
    this.io.sample(this.rateNow, this.an.m, this.onBlock.bind(this));
  }

  /**
   * Handset or host changed depth/rate/preset while running: retune without stopping, at the
   * end of the block in progress. A block ends where a stroke starts (sampling and stroke clock
   * start together), so the stroke clock restarts there without cutting a push short, and every
   * block is measured at one drive: the block in progress teaches the loop at the old setpoint,
   * the next one at the new.
   */
  retune(): void {
    if (!this.isRunning()) return;
    // a stepper still positioning its stage aims at the new setpoints at once (no blocks yet)
    if (this.stepDrive && this.stepDrive.phase !== SEQ_TURNING) this.applySetpoints(false);
    else this.retunePending = true;
  }

  /**
   * One block of Hall samples (M strokes, 40 ms at most) arrived. The CPU budget is spent
   * here (docs/control.md): Espruino reads the text of every statement it runs or skips,
   * each time, so this path is short: native calls for the samples, one comparison per
   * check, and the words of a fault built off the path (trip); every 4th block the slow
   * checks (slowChecks); a telemetry record only when one is due (record).
   */
  onBlock(buf: Uint16Array): void {
    const io = this.io;
    const an = this.an;
    an.analyse(buf);
    const now = io.now();
    const hi = an.hi;
    const lo = an.lo;
    const nb = ++this.blocks;
    // stepper: the cam's ramp is over (voice coil: always)
    const sd = this.stepDrive;
    const settled = !sd || now >= sd.settleT;
    // while the cam ramps a block holds no whole strokes: its strokes are reported as sampled
    // (a sinusoid fit over strokes of changing length lifts them 24-29 µm; `top` keeps the lift),
    // and the first settled block finds the bottom again from its highest sample (followed through
    // the ramp it walks back a sample a block while the depth loop integrates the shortfall: a
    // 76 µm overshoot at 150 strokes/s)
    if (!settled) {
      an.corr = 0;
      an.p = -1;
    }
    // --- safety first: every check can latch and make safe before anything else runs.
    // The bottom of every stroke must lie within the Hall sensor's range; the stepper's
    // retracted end may sit on the sensor's rail (docs/hardware.md), the coil's may not.
    if (hi > RAW_HIGH || an.bot < RAW_LOW || (lo < RAW_LOW && !this.cam)) return this.trip(FAULT.SENSOR_RANGE, now);
    // no stroke's bottom lies beyond `top` (block-analysis.ts)
    if (an.top > this.rawLimit) return this.trip(FAULT.DEPTH_LIMIT, now);
    // the needle does not travel, or the sensor is frozen (noTravel tells them apart); a
    // stepper's block spans half a lobe or more from its first, ramp or not: its travel shows at once
    if (hi - lo < this.rawTravel && nb > 1) return this.noTravel(buf);
    this.stillBlocks = 0;
    if (this.hostRun && now - this.lastHeartbeat > HEARTBEAT_TIMEOUT_S) return this.trip(FAULT.LINK_LOST, now);
    const supply = io.supplyV();
    if (supply < LIMITS.underVoltageV) return this.trip(FAULT.UNDER_VOLTAGE, now, supply);
    const vc = this.vc;
    const amps = vc ? io.coilAmps() : 0;
    if (amps > LIMITS.maxCoilA) return this.trip(FAULT.OVER_CURRENT, now, amps);
    this.amps = amps;
    this.i2 += amps * amps;
    if ((nb & 3) === 1 && this.slowChecks(now, buf, nb)) return;
    const meanMm = (an.mean - this.z) * this.g;
    this.measMm = meanMm;
    const err = this.setMm - meanMm;
    // TRACKING after LIMITS.trackingBlocks such blocks in a row, once settled (not in open loop, nor
    // in a block before a pending retune: it ran at the old setpoint)
    this.trackingBlocks = (err > LIMITS.trackingMm || err < -LIMITS.trackingMm) && settled && nb > 10 && !this.openLoop && !this.retunePending ? this.trackingBlocks + 1 : 0;
    if (this.trackingBlocks >= LIMITS.trackingBlocks) return this.trip(FAULT.TRACKING, now, err);

    // --- control
    let inSkin = true;
    if (vc) {
      // the first correction after the stroke clock (re)started (a run's first block, the first at a
      // new rate) measures the block's last stroke: its sample at the bottom phase, lifted by the mean stroke's fit
      const duty = vc.update(meanMm, supply, vc.firstStep ? (buf[an.at + SAMPLES_PER_BLOCK - an.n] + an.corr - this.z) * this.g : meanMm);
      this.drive = duty;
      inSkin = vc.inSkin;
      if (!this.retunePending) io.strokeDuty(duty);
    } else if (this.cam) this.stepperBlock(meanMm, settled);
    const air = inSkin ? 0 : this.airBlocks + 1;
    this.airBlocks = air;
    const was = this.warn;
    const warn = (was & ~(WARN.DEPTH_NOT_REACHED | WARN.IN_AIR)) | (vc && vc.notReached ? WARN.DEPTH_NOT_REACHED : 0) | (air >= LIMITS.airBlocks ? WARN.IN_AIR : 0);
    if (warn !== was) this.setWarn(warn);

    // --- counters and telemetry
    const m = an.m;
    const c = this.counters;
    // stepper: the strokes the cam really made are counted by housekeeping (every one a dot), not the block's nominal M
    if (!sd) {
      c.cStrokes += m;
      c.strokes += m;
      if (!this.transientBlocks) {
        if (inSkin) c.cDots += m;
      } else this.blockEnd(m, inSkin);
    }
    if (this.telemetryEvery) this.record(buf, now, m, inSkin);
    if (this.retunePending || m !== this.blockM) this.blockEnd(0, inSkin);
  }

  /**
   * Off the per-block path. With `m` strokes: the first two blocks of a run (the first stroke from
   * rest, the soft start's correction) and the block after a retune (a drive step) carry a
   * transient the in-skin test misreads: their strokes count as dots, or not, with the next
   * settled block. With none (0): the end of a block before a retune, or of a run's short first
   * blocks (the steady block length from here).
   */
  private blockEnd(m: number, inSkin: boolean): void {
    if (m) {
      if (--this.transientBlocks > 0) {
        this.pendingDots += m;
        this.pendingSkin = inSkin;
        return;
      }
      if (inSkin) this.counters.cDots += m + this.pendingDots;
      this.pendingDots = 0;
      return;
    }
    if (this.retunePending) {
      this.retunePending = false;
      this.applySetpoints(false);
      this.transientBlocks = 2;
      return;
    }
    this.an.configure(this.blockM);
    this.startSampling();
  }

  /**
   * The needle did not travel in a block (onBlock ends there). A frozen sensor (every
   * sample of the block within one 12-bit step: a live one shows its noise) is SENSOR_STUCK. Stepper
   * (ramping or not): the cam stalled (STALL). Voice coil:
   * why is in the coil current across one stroke (open coil, shorted coil or jam: docs/safety.md
   * H4–H6, probeCurrent); the loop learns nothing from such a block.
   */
  private noTravel(buf: Uint16Array): void {
    const an = this.an;
    const now = this.io.now();
    if (Math.max.apply(null, buf as any) - Math.min.apply(null, buf as any) < 16) return this.trip(FAULT.SENSOR_STUCK, now);
    const still = ++this.stillBlocks;
    if (this.cam) {
      if (still > 1) this.trip(FAULT.STALL, now);
      return;
    }
    // a sensor freezing early in a block looks like this for one block, then reads frozen
    // (SENSOR_STUCK). Its samples after the freeze are one value: when the block's last stroke
    // still shows the sensor's noise, it was live all through, the needle really stood still for
    // a stroke or more, and the probe of the coil current across the next stroke latches its
    // verdict itself (at the block's end or a quarter stroke later, not a 40 ms block later at
    // 150/s); otherwise the verdict waits for a second such block, which a frozen sensor makes
    // SENSOR_STUCK
    if (still === 1) {
      const tail = buf.subarray(SAMPLES_PER_BLOCK - an.n);
      const live = Math.max.apply(null, tail as any) - Math.min.apply(null, tail as any) >= 16;
      this.probeCurrent(this.rateNow, ((an.hi + an.lo) / 2 - this.z) * this.g, (an.hi - an.lo) * this.g, live);
    } else if (this.probeVerdict) this.supervisor.latch(this.probeVerdict, now, this.probeWhy);
  }

  /**
   * A check failed in onBlock: latch it with the figures that tripped it (built here, off
   * the per-block path). `x` is the figure onBlock already had at hand.
   */
  private trip(code: number, now: number, x?: number): void {
    const an = this.an;
    const mm = (r: number) => ((r - this.z) * this.g).toFixed(3);
    const ctx =
      code === FAULT.SENSOR_RANGE ? 'hall raw ' + Math.round(an.bot < an.lo ? an.bot : an.lo) + '..' + an.hi
      : code === FAULT.DEPTH_LIMIT ? 'depth ' + mm(an.top) + ' mm, limit ' + this.limit()
      : code === FAULT.SENSOR_STUCK ? 'hall frozen at ' + an.hi
      : code === FAULT.STALL ? 'travel ' + ((an.hi - an.lo) * this.g).toFixed(3) + ' mm'
      : code === FAULT.LINK_LOST ? 'no heartbeat for ' + (now - this.lastHeartbeat).toFixed(3) + ' s'
      : code === FAULT.UNDER_VOLTAGE ? 'supply ' + (x as number).toFixed(2) + ' V'
      : code === FAULT.OVER_CURRENT ? 'coil ' + (x as number).toFixed(2) + ' A'
      : 'depth error ' + (x as number).toFixed(3) + ' mm';
    this.supervisor.latch(code, now, ctx);
  }

  /**
   * Every 4th block: the thermistor and the coil's thermal estimate, a noisy Hall (voice coil),
   * the cam's index (stepper). True when one latched a fault. (The temperature every 8th block
   * instead moved the accuracy matrix's worst strokes by up to 12 µm: the drive and Hall
   * compensation follow a coil that warms during the run.)
   */
  private slowChecks(now: number, buf: Uint16Array, nb: number): boolean {
    const sup = this.supervisor;
    const cam = this.cam;
    this.coilTemp(this.io.coilTempC());
    if (this.vc) {
      // first-order I²R estimate over the blocks since the last one (4 of them, 1 at the start of
      // a run: the mean of their currents squared)
      const dt = now - this.lastSlowT;
      if (dt > 0) this.tempEst += ((THERMAL.ambientC + (this.i2 / (nb > 1 ? 4 : 1)) * this.coilR * THERMAL.rthCPerW - this.tempEst) * dt) / THERMAL.tauS;
    }
    this.i2 = 0;
    this.lastSlowT = now;
    if (this.tempC > LIMITS.maxCoilC || this.tempEst > LIMITS.maxCoilC) {
      sup.latch(FAULT.OVER_TEMP, now, 'coil ' + this.tempC.toFixed(1) + ' C, estimate ' + this.tempEst.toFixed(1) + ' C');
      return true;
    }
    if (cam) {
      const age = this.io.indexAge();
      // the cam may turn as slowly as its start rate (the ramp, a park); a blocked one shows in its travel first
      if (age > (LIMITS.stallPeriods * cam.stepsPerRev) / CAM_START_HZ) {
        sup.latch(FAULT.STALL, now, 'no cam index for ' + age.toFixed(3) + ' s');
        return true;
      }
      return false;
    }
    // voice coil: the needle bar is a mass on springs, its stroke is smooth; a rough signal,
    // check after check, is noise on the Hall (a cable, its shield, the supply): the depth it
    // reads cannot be trusted (docs/safety.md H2b). The stepper's cam-driven stroke is clipped
    // on the sensor's rail (kinks): not checked. The bench build has no sensor (its model draws
    // each stroke's bottom as three samples on a flat line): measured, not judged
    const rough = this.an.roughness(buf);
    this.noisyBlocks = rough > LIMITS.hallRoughRaw && this.io.driveKind !== 'bench' ? this.noisyBlocks + 1 : 0;
    if (this.noisyBlocks < LIMITS.noisyChecks) return false;
    sup.latch(FAULT.SENSOR_RANGE, now, 'hall noisy: ' + (rough / 65535).toFixed(3) + ' FS RMS 2nd diff');
    return true;
  }

  /** Stepper, once settled: the cam's speed loop on the index (slipping latches STALL), the stage's depth loop. */
  private stepperBlock(meanMm: number, settled: boolean): void {
    const cam = this.cam as CamSpeedController;
    const stage = this.stageCtl as StageDepthController;
    // the mean revolution period over this block (read every block, so it covers this block only)
    const period = this.io.indexPeriod();
    if (!settled) return;
    if (period > CAM_SLIP_RATIO * cam.period()) {
      this.supervisor.latch(FAULT.STALL, this.io.now(), 'cam slipping: ' + (cam.lobes / period).toFixed(1) + '/s of ' + this.rateNow);
      return;
    }
    // the cam drives the needle positively: skin does not change the stroke's shape, so the
    // Hall cannot tell skin from air and every stroke counts as a dot (docs/control.md)
    (this.stepDrive as StepperDrive).block(meanMm, period);
    this.drive = stage.level(this.io.stagePos());
  }

  /** Telemetry: each stroke's depth when asked for; a record once `telemetryEvery` strokes are covered (whole blocks). */
  private record(buf: Uint16Array, now: number, m: number, inSkin: boolean): void {
    const an = this.an;
    const su = this.strokeUm;
    if (this.telemetryPerStroke) {
      // each stroke's bottom: its sample at the bottom phase, lifted by the mean stroke's fit,
      // within what the protocol carries (a Hall on its rail reads beyond it)
      const off = an.corr - this.z;
      const f = this.g * 1000;
      const n = an.n;
      for (let i = an.at; i < SAMPLES_PER_BLOCK; i += n) su.push(Math.max(TLM_DEPTH_MIN_UM, Math.round((buf[i] + off) * f)));
    }
    const tc = this.telCount + m;
    this.telCount = tc;
    if (tc < this.telemetryEvery || !this.handlers.telemetry) return;
    // setUm (v[1]) is set with the setpoints
    const v = this.stamp(now);
    const a = this.amps;
    v[3] = this.rateNow;
    v[2] = Math.max(TLM_DEPTH_MIN_UM, Math.round(this.measMm * 1000));
    v[4] = Math.round(this.drive * 1000);
    v[5] = Math.round((a < 0 ? -a : a) * 1000); // mA is a magnitude (0..20000): braking current flows backwards
    v[10] = inSkin ? tc : 0;
    v[11] = tc;
    this.telCount = 0;
    this.tlmT = Infinity; // strokes reported: no more records without them this run
    this.handlers.telemetry(v, this.telemetryPerStroke ? su : undefined);
    this.strokeUm = []; // a new array: Espruino cannot assign .length
  }

  /**
   * Stepper, running before the run's first record of strokes (the stage travels, the cam is
   * probed or parks, then ramps: 0.3–1.6 s, docs/control.md): a record of what is known, once
   * `telemetryEvery` strokes at the set rate would have taken (at the housekeeping tick's pace).
   * It reports no stroke: the depth, the drive, in-skin and the stroke count are left out (the
   * ramp's strokes come in the first record of strokes); the rate is the cam's (parked 0, the
   * probe's, the set rate once it turns).
   */
  private preStrokeRecord(now: number): void {
    const sd = this.stepDrive;
    if (!sd || !this.handlers.telemetry || now - this.tlmT < this.telemetryEvery / this.rateNow) return;
    this.tlmT = now;
    const v = this.stamp(now);
    v[3] = sd.phase === SEQ_TURNING ? this.rateNow : sd.phase ? Math.round(CAM_START_HZ / sd.lobe) : 0;
    this.handlers.telemetry(v, undefined, TLM_STROKE_FIELDS);
  }

  /** The fields every record carries (t, dC, state, fault, warn), now, into the reused record. */
  private stamp(now: number): number[] {
    const v = this.tlm;
    v[0] = Math.round(now * 1000) >>> 0;
    v[6] = Math.round(this.tempC * 10);
    v[7] = this.supervisor.penState;
    v[8] = this.supervisor.latchedFault;
    v[9] = this.warn;
    return v;
  }

  /**
   * A coil thermistor reading. Voice coil: the drive and the Hall reading follow it (a hot
   * coil drives less current per duty, and its magnet gives the Hall less span:
   * control/coil-temperature.ts), and so do the per-block checks' raw thresholds; the
   * stepper's thermistor sits on the cam motor instead.
   */
  private coilTemp(tC: number): void {
    this.tempC = tC;
    const cal = this.cal;
    if (!cal || !this.vc) return;
    hallAt(tC, cal.hall, this.hallNow);
    this.vc.coilFactor = resistanceFactor(tC, cal.actuator ? cal.actuator.r : 0);
    this.hallFactors();
  }

  /** The per-block checks work in raw samples: the Hall's zero and mm per raw unit now, the hard limit's and the least travel's raw figures. */
  private hallFactors(): void {
    const h = this.hallNow;
    const g = h.mmPerUnit / 65535;
    this.z = h.offset * 65535;
    this.g = g;
    this.rawLimit = this.z + (this.limitMm + LIMITS.depthMarginMm) / g;
    this.rawTravel = LIMITS.minTravelMm / g;
  }

  /**
   * The needle did not move in a block while driven (at `posMm`, `travel` mm): read the coil
   * current now and up to three more times a quarter stroke apart (a block ends at a fixed phase
   * of the stroke clock, so one reading proves nothing) until one shows current (the first that
   * does decides as well as the largest of four would), and keep what they say:
   *   no current                          -> the coil is open: TRACKING ("coil open")
   *   current, needle where it rests      -> the coil draws current but makes no force: a
   *                                          shorted coil, held near the bridge's current limit
   *                                          (limit × duty, under the 1.6 A mean): OVER_CURRENT
   *   current, needle held away from rest -> something holds the needle bar: JAM
   * A bar jammed within restBandMm of its rest reads as a shorted coil; the reaction is the same.
   * With `latch` (the Hall was live to the end of the still block: noTravel) the verdict latches
   * as soon as it is in (at the block's end or a quarter stroke later when current flows, ¾ of a
   * stroke for an open coil); without, on the next still block.
   */
  private probeCurrent(rate: number, posMm: number, travel: number, latch: boolean): void {
    const io = this.io;
    const self = this;
    let n = 0;
    let peak = 0;
    this.stopProbe();
    this.probeVerdict = 0;
    function read(): void {
      const a = io.coilAmps();
      const m = a < 0 ? -a : a;
      if (m > peak) peak = m;
      if (++n < 4 && peak < LIMITS.openCoilA) return;
      self.stopProbe();
      const why = 'travel ' + travel.toFixed(3) + ' mm at ' + posMm.toFixed(2) + ' mm (rest ' + self.restMm.toFixed(2) + '), coil ' + peak.toFixed(3) + ' A';
      self.probeVerdict = peak < LIMITS.openCoilA ? FAULT.TRACKING : Math.abs(posMm - self.restMm) < LIMITS.restBandMm ? FAULT.OVER_CURRENT : FAULT.JAM;
      self.probeWhy = (peak < LIMITS.openCoilA ? 'coil open: ' : self.probeVerdict === FAULT.OVER_CURRENT ? 'coil shorted: ' : '') + why;
      if (latch) self.supervisor.latch(self.probeVerdict, io.now(), self.probeWhy);
    }
    read();
    if (!this.probeVerdict) this.probeTimer = io.every(250 / rate, read);
  }

  private stopProbe(): void {
    if (this.probeTimer) this.io.cancel(this.probeTimer);
    this.probeTimer = 0;
  }

  private setWarn(w: number): void {
    this.warn = w;
    if (this.handlers.warn) this.handlers.warn(w);
  }

  /** 8 Hz: watchdog, LED, cartridge, supply, limits on run time, idle power-down, counter batching. */
  housekeeping(): void {
    this.io.kickWatchdog();
    const now = this.io.now();
    const st = this.supervisor.penState;
    this.tick = (this.tick + 1) & 15;
    if (this.onTick) this.onTick(now);
    // idle: the LED powers down, but never over a latched fault's pattern
    this.io.led(st !== STATE.FAULT && now - this.lastActivity > this.prefs.autoOffMin * 60 ? 0 : ledColour(st, this.supervisor.latchedFault, this.warn, this.tick));
    if (this.isRunning()) {
      // running is activity (no auto power-down)
      this.lastActivity = now;
      if (this.hostRun && now - this.lastHeartbeat > HEARTBEAT_TIMEOUT_S) {
        this.trip(FAULT.LINK_LOST, now);
        return;
      }
      if (this.hostRun && now > this.hostSet.endS) {
        this.stop();
        return;
      }
      if (now - this.runBegan > this.prefs.maxRunMin * 60) {
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
      this.preStrokeRecord(now);
    }
    // the low-battery warning while running too: that is when the practitioner needs it before the cut-off
    if ((this.tick & 7) === 0) {
      const v = this.io.supplyV();
      const low = v < LIMITS.lowBatteryV ? WARN.LOW_BATTERY : 0;
      if ((this.warn & WARN.LOW_BATTERY) !== low) this.setWarn((this.warn & ~WARN.LOW_BATTERY) | low);
    }
    if (this.stepDrive) {
      // stepper: the strokes its cam really made (its lobes passed: runs, ramps, parks, the probe),
      // every one a dot (docs/control.md); saved with the next counter write
      const n = this.stepDrive.takeStrokes();
      const c = this.counters;
      c.cStrokes += n;
      c.strokes += n;
      c.cDots += n;
    }
    if (this.dirty && st !== STATE.RUNNING) {
      this.dirty = false;
      this.saveCounters();
    }
  }

  // ---- handset and host actions -------------------------------------------------

  /** The cartridge switch changed. Removing it while running is a fault; a new one starts fresh per-cartridge counters. */
  cartridge(present: boolean): void {
    const was = this.supervisor.cartridgeIn;
    this.supervisor.cartridgeIn = present;
    this.lastActivity = this.io.now();
    if (!present && this.isRunning()) {
      this.supervisor.latch(FAULT.CARTRIDGE_REMOVED, this.io.now(), 'cartridge switch opened while running');
    } else if (!present && this.supervisor.penState === STATE.SERVICE) this.safe(); // a hold or capture stops
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
    this.supervisor.evaluate();
  }

  /** Setpoint changes from the handset, limited to the preset's range. */
  nudgeDepth(deltaMm: number): void {
    const p = this.preset();
    this.prefs.depth = roundDepth(clamp(this.prefs.depth + deltaMm, p.depthMin, Math.min(p.depthMax, this.limit())));
    this.setSettings(this.prefs);
  }

  nudgeRate(delta: number): void {
    const p = this.preset();
    this.prefs.rate = clamp(this.prefs.rate + delta, p.rateMin, p.rateMax);
    this.setSettings(this.prefs);
  }

  selectPreset(index: number): boolean {
    if (index < 0 || index >= this.presets.length) return false;
    const p = this.presets[index];
    this.prefs.preset = index;
    this.prefs.depth = Math.min(p.depth, this.limit());
    this.prefs.rate = p.rate;
    this.setSettings(this.prefs);
    return true;
  }

  /**
   * New settings (handset, or host after validation): saved, then used (a run retuned). False
   * when the flash write failed: a host's new settings are then not used (a limit the pen would
   * forget at its next boot must not be acknowledged); the handset's, already changed in place,
   * are used for this session all the same.
   */
  setSettings(s: Settings): boolean {
    const saved = this.records.save('set', SETTINGS_VERSION, s);
    if (!saved && s !== this.prefs) return false;
    this.prefs = s;
    this.lastActivity = this.io.now();
    this.retune();
    return saved;
  }

  /** False, and nothing changed, for an invalid preset or a failed flash write. */
  setPresets(list: Preset[]): boolean {
    for (let i = 0; i < list.length; i++) if (!isPreset(list[i])) return false;
    if (!this.records.save('pre', PRESETS_VERSION, list)) return false;
    this.presets = list;
    if (this.prefs.preset >= list.length) this.selectPreset(0);
    return true;
  }

  saveCounters(): void {
    this.counters.faults = this.supervisor.faultCount;
    this.records.save('cnt', COUNTERS_VERSION, this.counters);
  }

  /**
   * Write a new calibration (SERVICE; the old one stays in the other slot for restore), or
   * with `trial` use it in RAM only, for verification runs in SERVICE (dropped on leaving).
   */
  writeCalibration(cal: Calibration, trial?: boolean): string {
    if (!isCalibration(cal)) return 'calibration record is malformed';
    if (trial) {
      if (this.isRunning()) return 'stop the run first';
      this.useCalibration(cal);
      return '';
    }
    if (!this.records.save('cal', CALIBRATION_VERSION, cal)) return 'flash write failed';
    const back = this.records.load('cal', CALIBRATION_VERSION);
    if (back.status !== 'ok' || JSON.stringify(back.data) !== JSON.stringify(cal)) return 'read-back mismatch';
    this.useCalibration(cal);
    this.savedCal = cal;
    return '';
  }

  enterService(): string {
    return this.supervisor.enterService();
  }

  /** Leave SERVICE: stop everything; a trial calibration gives way to the one in flash. */
  leaveService(): void {
    if (this.supervisor.penState !== STATE.SERVICE) return;
    if (this.cal !== this.savedCal) {
      if (this.savedCal) this.useCalibration(this.savedCal);
      else {
        this.cal = undefined;
        this.vc = undefined;
        this.an.locked = false;
        this.stageCtl = undefined;
        this.cam = undefined;
        this.supervisor.calibrated = false;
        this.calStatus = this.calStatus === 'corrupt' ? 'corrupt' : 'missing';
      }
    }
    this.supervisor.leaveService();
  }

  /** Clear the latched fault (handset sequence, or host in SERVICE): '' or why not. */
  clearFault(): string {
    // with none latched every check below passes and the supervisor says so
    const f = this.supervisor.latchedFault;
    const v = this.io.supplyV();
    if ((f === FAULT.UNDER_VOLTAGE || f === FAULT.BROWN_OUT) && v < LIMITS.underVoltageV) return 'supply still low: ' + v.toFixed(2) + ' V';
    const t = this.io.coilTempC();
    if (f === FAULT.OVER_TEMP) {
      if (t > LIMITS.maxCoilC - 10) return 'coil still hot: ' + t.toFixed(1) + ' C';
      this.tempEst = t;
    }
    const raw = this.io.hallRaw() * 65535;
    // a stepper at rest reads its sensor's low rail (the cam's retracted end, stage home, lies
    // below the sensor's range), so only the high rail proves the fault there; its next run
    // turns the cam at home first, where a stroke's bottom is in range, and checks it (a probe)
    const sensor = f === FAULT.SENSOR_RANGE || (this.stepDrive && f === FAULT.SENSOR_STUCK);
    if (sensor && (raw > LIMITS.rawHigh || (raw < LIMITS.rawLow && !this.stepDrive))) return 'hall sensor still out of range: ' + Math.round(raw);
    if (sensor && this.stepDrive) this.stepDrive.retract = NaN;
    if (faultNeedsTechnician(f) && !this.savedCal) return 'needs a technician: write a calibration first';
    return this.supervisor.clear();
  }

  /** Run/stop held: everything stops and the needle retracts, whatever the state. */
  estop(): void {
    if (this.supervisor.penState === STATE.RUNNING) this.stop();
    else this.safe();
  }

  heartbeat(): void {
    this.lastHeartbeat = this.io.now();
  }
}
