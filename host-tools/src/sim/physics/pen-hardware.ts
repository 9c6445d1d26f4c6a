// The simulated hardware of the Stipple pen (docs/hardware.md, docs/simulator.md):
// battery, H-bridge + voice coil or cam stepper + depth stage, needle mechanics, skin,
// sensors, handset, faults, and a technician's depth gauge. Implements the board seam
// `HardwareModel` (../board/hardware-model.ts).
//
// Integrator: fixed step `dt` (default 25 µs) on a global time grid k·dt, so results do not
// depend on how the board slices time. The coil current is integrated exactly over a step
// (exponential, L/R ≈ 110 µs); the mechanics with semi-implicit (symplectic) Euler; the
// tissue element exponentially. The model runs up to one step ahead of the board's time
// and interpolates sensor readings inside the step; a drive change takes effect at the
// next grid point (≤ dt latency). Plain numbers, no allocation in the step loop.
//
// Physical figures: ../../../../../shared/domain.md; parameters and tolerances: ./params.ts.

import type { HardwareModel, InputEdge, PinDrive } from '../board/hardware-model';
import type { PinMap } from '../../../../firmware/src/boards/pin-maps';
import { drawPenParameters, type PenParameters } from './params';
import { Rng, STREAM } from './rng';
import { SkinModel, type NeedleConfig, type TissueType } from './skin';
import { StrokeRing, type StrokeRecord } from './traces';

// Math functions and constants bound once: global lookups are slow inside vm contexts (jest,
// the virtual board), and these run in the step loop.
const { abs, atan2, ceil, cos, exp, floor, log, max, min, round, sin, sqrt } = Math;
const INF = Number.POSITIVE_INFINITY;


export type PenVariant = 'voiceCoil' | 'stepper';
export type ButtonName = 'BTN_RUN' | 'BTN_SPEED_UP' | 'BTN_SPEED_DOWN' | 'BTN_DEPTH_UP' | 'BTN_DEPTH_DOWN';

export interface WobbleConfig {
  /** amplitude of the skin-surface motion relative to the cartridge tip, mm (hand pressure: ±0.2 mm) */
  amplitudeMm: number;
  /** 1–5 Hz */
  freqHz: number;
}

export interface SkinOptions {
  type?: TissueType;
  /** stiffness multiplier (a step relative to the tissue type) */
  stiffness?: number;
  wobble?: WobbleConfig;
  /** mean surface position relative to the cartridge tip, mm (negative: skin pressed into the opening) */
  surfaceOffsetMm?: number;
  /** slow random walk of stiffness as the pen moves across the scalp (default on) */
  randomWalk?: boolean;
}

export interface PenHardwareOptions {
  seed: number;
  variant: PenVariant;
  /** part-to-part spread (false = nominal pen) */
  spread: boolean;
  pins: PinMap;
  skin?: SkinOptions;
  needle?: NeedleConfig;
  /** open-circuit battery voltage at t = 0 (default 7.6 V) */
  supplyV?: number;
  ambientC?: number;
  /** integration step, µs (default 25) */
  dtUs?: number;
  /** cartridge seated at t = 0 (default true) */
  cartridge?: boolean;
  traceCapacity?: number;
  /** replace drawn parameters (e.g. to test a corner of the tolerance band) */
  overrides?: Partial<PenParameters>;
}

export type FaultKind =
  | 'hallDisconnected'
  | 'hallStuck'
  | 'hallNoisy'
  | 'coilOpen'
  | 'coilShorted'
  | 'supplySag'
  | 'brownout'
  | 'overTemp'
  | 'jam'
  | 'cartridgePulled'
  | 'stall';

export interface FaultParams {
  hallDisconnected: { level?: 'low' | 'high' };
  hallStuck: { value?: number };
  hallNoisy: { sigmaFs?: number };
  coilOpen: Record<string, never>;
  coilShorted: { ohms?: number };
  supplySag: { dropV?: number; extraOhm?: number };
  brownout: { voltage?: number; durationMs?: number };
  overTemp: { rthFactor?: number; heatJ?: number; ambientC?: number };
  jam: { positionMm?: number };
  cartridgePulled: Record<string, never>;
  stall: { loadTorqueMNm?: number; blocked?: boolean; durationMs?: number };
}

export interface BrownoutEvent {
  time: number;
  minVoltage: number;
}

export interface LedState {
  time: number;
  r: number;
  g: number;
  b: number;
}

// ---- roles -------------------------------------------------------------------------
const R_NONE = 0;
const R_DRIVE_PWM = 1;
const R_DRIVE_PHASE = 2;
const R_HALL = 3;
const R_COIL_I = 4;
const R_COIL_NTC = 5;
const R_VSUPPLY = 6;
const R_CAM_INDEX = 7;
const R_STAGE_STEP = 8;
const R_STAGE_DIR = 9;
const R_STAGE_HOME = 10;
const R_BTN_RUN = 11;
const R_BTN_SPEED_UP = 12;
const R_BTN_SPEED_DOWN = 13;
const R_BTN_DEPTH_UP = 14;
const R_BTN_DEPTH_DOWN = 15;
const R_PEDAL = 16;
const R_CARTRIDGE = 17;
const R_LED_R = 18;
const R_LED_G = 19;
const R_LED_B = 20;
const N_ROLES = 21;

const ROLE_OF: { [k in keyof PinMap]: number } = {
  DRIVE_PWM: R_DRIVE_PWM,
  DRIVE_PHASE: R_DRIVE_PHASE,
  HALL: R_HALL,
  COIL_I: R_COIL_I,
  COIL_NTC: R_COIL_NTC,
  VSUPPLY: R_VSUPPLY,
  CAM_INDEX: R_CAM_INDEX,
  STAGE_STEP: R_STAGE_STEP,
  STAGE_DIR: R_STAGE_DIR,
  STAGE_HOME: R_STAGE_HOME,
  BTN_RUN: R_BTN_RUN,
  BTN_SPEED_UP: R_BTN_SPEED_UP,
  BTN_SPEED_DOWN: R_BTN_SPEED_DOWN,
  BTN_DEPTH_UP: R_BTN_DEPTH_UP,
  BTN_DEPTH_DOWN: R_BTN_DEPTH_DOWN,
  PEDAL: R_PEDAL,
  CARTRIDGE: R_CARTRIDGE,
  LED_R: R_LED_R,
  LED_G: R_LED_G,
  LED_B: R_LED_B,
};

// ---- fixed design figures ---------------------------------------------------------------
/** Integration step, µs: stable (ω·dt ≤ 0.25 for the stops, exact coil) and within ~2 µm of a 5 µs reference on bottom-of-stroke. */
export const DEFAULT_DT_US = 40;
/** PWM at or above this frequency is averaged over a step (DRIVE_PWM at 20 kHz). */
const AVERAGE_PWM_HZ = 5000;
/** Brown-out: supply below 5.5 V for more than 1 ms resets the MCU (brief / design rule). */
export const BROWNOUT_V = 5.5;
export const BROWNOUT_S = 1e-3;
const BROWNOUT_HYST_V = 0.1;
/** 2S Li-ion open-circuit voltage vs state of charge (docs/hardware.md: 8.4 full, 7.4 nominal, 6.4 low, 6.0 cut-off). */
const OCV_SOC = [0, 0.05, 0.15, 0.5, 0.85, 1];
const OCV_V = [6.0, 6.4, 6.9, 7.4, 8.0, 8.4];
/** Hall transfer (docs/hardware.md): 0.1…0.9 FS over −1.5…+3.0 mm. */
const HALL_X0_MM = -1.5;
const HALL_SPAN_MM = 4.5;
const HALL_SAT_LO = 0.01;
const HALL_SAT_HI = 0.99;
const ADC_COUNTS = 4095;
/** stepper: 200 full steps/rev, ½ microstep (docs/hardware.md) */
const FULL_STEPS = 200;
const MICROSTEPS_PER_REV = 400;
const ROTOR_TEETH = 50;
const CAM_LOBES = 3;
const INDEX_WINDOW_RAD = 0.1;
/** Cam follower (needle bar) viscous damping, N·s/m, engineering estimate. */
const CAM_BAR_DAMPING = 0.3;
/** Stroke detector hysteresis, m: a stroke is a rise and fall of the tip by more than this. */
const STROKE_HYST = 1e-4;
/** Contact bounce (docs/hardware.md ≤ 5 ms). */
const BOUNCE_MAX_MS = 5;
const TWO_PI = 2 * Math.PI;
/** Above this rotor speed (rad/s, 5 rev/s) the detent ripple is averaged out (left out of the torque). */
const DETENT_MAX_W = 5 * 2 * Math.PI;

function ocvFromSoc(soc: number): number {
  if (soc <= 0) return OCV_V[0];
  if (soc >= 1) return OCV_V[OCV_V.length - 1];
  let k = 1;
  while (OCV_SOC[k] < soc) k++;
  const f = (soc - OCV_SOC[k - 1]) / (OCV_SOC[k] - OCV_SOC[k - 1]);
  return OCV_V[k - 1] + f * (OCV_V[k] - OCV_V[k - 1]);
}

function socFromOcv(v: number): number {
  if (v <= OCV_V[0]) return 0;
  if (v >= OCV_V[OCV_V.length - 1]) return 1;
  let k = 1;
  while (OCV_V[k] < v) k++;
  const f = (v - OCV_V[k - 1]) / (OCV_V[k] - OCV_V[k - 1]);
  return OCV_SOC[k - 1] + f * (OCV_SOC[k] - OCV_SOC[k - 1]);
}

/** Fraction of [t0, t1] during which a PWM (high for `duty` of each period from `start`) is high. */
function pwmHighFraction(duty: number, freq: number, start: number, t0: number, t1: number): number {
  if (duty <= 0 || freq <= 0) return 0;
  if (duty >= 1) return 1;
  if (freq >= AVERAGE_PWM_HZ) return duty;
  const a = (t0 - start) * freq;
  const b = (t1 - start) * freq;
  if (b <= a) return 0;
  const fa = floor(a);
  const fb = floor(b);
  const ha = fa * duty + min(a - fa, duty);
  const hb = fb * duty + min(b - fb, duty);
  return (hb - ha) / (b - a);
}

function pwmLevelAt(duty: number, freq: number, start: number, t: number): boolean {
  if (duty <= 0 || freq <= 0) return false;
  if (duty >= 1) return true;
  const a = (t - start) * freq;
  return a - floor(a) < duty;
}

interface Scheduled {
  time: number;
  seq: number;
  run: () => void;
}

export class PenHardware implements HardwareModel {
  readonly params: PenParameters;
  readonly variant: PenVariant;
  readonly pins: PinMap;
  readonly dt: number;
  readonly traces: StrokeRing;
  readonly skin: SkinModel;

  // ---- time ----
  private K = 0;
  private tGrid = 0;
  private now = 0;

  // ---- pin map ----
  private readonly roleByPin = new Map<string, number>();
  private readonly pinByRole: string[] = new Array<string>(N_ROLES).fill('');

  // ---- drives ----
  private pwmKind = 0; // 0 input, 1 digital, 2 pwm
  private pwmVal = 0;
  private pwmFreq = 0;
  private pwmStart = 0;
  private phKind = 0;
  private phVal = 0;
  private phFreq = 0;
  private phStart = 0;
  private stageDirHigh = false;
  private readonly ledLevel = [0, 0, 0];
  private readonly ledHist: LedState[] = [];

  // ---- inputs / edges ----
  /** input levels as the firmware sees them (edges delivered up to the board's time) */
  private readonly level: boolean[] = new Array<boolean>(N_ROLES).fill(true);
  /** physical input levels (edges generated, possibly ahead of the board's time) */
  private readonly physLevel: boolean[] = new Array<boolean>(N_ROLES).fill(true);
  private pending: InputEdge[] = [];
  private lastAdvanceT = 0;

  // ---- scheduler ----
  private events: Scheduled[] = [];
  private seq = 0;
  private nextEventT = INF;

  // ---- random streams ----
  private readonly noise: Rng;
  private readonly envRng: Rng;
  private readonly handRng: Rng;

  // ---- supply ----
  private soc = 0.6;
  vBus = 7.4;
  private lowTime = 0;
  private lowMin = INF;
  private browned = false;
  private brownoutPending = false;
  readonly brownouts: BrownoutEvent[] = [];
  private brownoutListeners: ((e: BrownoutEvent) => void)[] = [];
  private sagDropV = 0;
  private sagExtraOhm = 0;
  private forcedV = INF;

  // ---- voice coil / mechanics (SI) ----
  private x = 0; // bar position as nominal protrusion, m
  private v = 0;
  private xPrev = 0;
  private i = 0; // coil current, A
  private iSense = 0; // current through the sense shunt (bridge current), A
  private iSensePrev = 0;
  private expI = 0;
  private rLoop = 0;
  private rCoil = 0;
  private heatJ = 0;
  private charge = 0;
  private ocv = 7.4;
  private slowK = 0;
  private slowN = 40;
  private slowLeft = 40;
  private nextPeriodT = INF;
  private perStart = NaN;
  private perFreq = 0;
  private lastAcc = 0;
  private ilimActive = false;
  chopEvents = 0;
  private coilOpen = false;
  private coilShortOhm = 0;
  private jammed = false;
  private jamX = 0;
  private readonly m: number;
  private readonly kS: number;
  private readonly xS0: number;
  private readonly kM: number;
  private readonly xM0: number;
  private readonly cV: number;
  private readonly fC: number;
  private readonly xMin: number;
  private readonly xMax: number;
  private readonly kStop: number;
  private readonly cStop: number;
  private readonly kf: number;
  private readonly L: number;

  // ---- thermal ----
  tempC = 25;
  private ambientC = 25;
  private rthFactor = 1;

  // ---- cartridge / skin / surface ----
  private cartridge = true;
  private cartOffset = 0; // m
  private surfOffset = 0; // m
  private wobA = 0; // m
  private wobW = 0; // rad/s
  private wobS = 0; // sin phase
  private wobC = 1;
  private wobRotC = 1;
  private wobRotS = 0;
  private surf = 0;
  private surfV = 0;
  private walkOn = true;

  // ---- stroke detector ----
  private rising = true;
  private pk = -INF;
  private pkT = 0;
  private trough = INF;
  private strokePeakI = 0;
  private inPeriodic = false;

  // ---- hall faults ----
  private hallMode = 0; // 0 ok, 1 low, 2 high, 3 stuck
  private hallStuckVal = 0;
  private hallExtraNoise = 0;

  // ---- stepper ----
  private th = 0;
  private om = 0;
  private thC = 0;
  private nDone = 0;
  private stage = 0; // m
  private stageLost = 0;
  private lastStageStepT = -INF;
  private stagePulses: number[] = [];
  private stageHead = 0;
  private nextPulseT = INF;
  private stallTorque = 0;
  private rotorBlocked = false;
  private readonly idxAngle: number;

  constructor(opts: PenHardwareOptions) {
    this.variant = opts.variant;
    this.pins = opts.pins;
    this.params = { ...drawPenParameters(opts.seed, opts.spread), ...(opts.overrides ?? {}) };
    this.dt = (opts.dtUs ?? DEFAULT_DT_US) * 1e-6;
    this.traces = new StrokeRing(opts.traceCapacity ?? 8192);
    this.noise = new Rng(opts.seed, STREAM.sensorNoise);
    this.envRng = new Rng(opts.seed, STREAM.environment);
    this.handRng = new Rng(opts.seed, STREAM.handset);
    this.skin = new SkinModel(this.envRng);
    this.skin.setDt(this.dt);

    for (const k of Object.keys(ROLE_OF) as (keyof PinMap)[]) {
      const pin = opts.pins[k];
      if (!pin) continue;
      this.roleByPin.set(pin, ROLE_OF[k]);
      this.pinByRole[ROLE_OF[k]] = pin;
    }

    const p = this.params;
    const stepper = this.variant === 'stepper';
    this.m = (stepper ? p.camBarMassG : p.movingMassG) / 1000;
    this.kS = p.springRateNPerMm * 1000;
    this.xS0 = p.springRestMm / 1000;
    this.kM = p.membraneRateNPerMm * 1000;
    this.xM0 = p.membraneRestMm / 1000;
    this.cV = stepper ? CAM_BAR_DAMPING : p.dampingNsPerM;
    this.fC = p.frictionN;
    this.xMin = p.stopRetractedMm / 1000;
    this.xMax = p.stopExtendedMm / 1000;
    this.kStop = p.stopStiffnessNPerMm * 1000;
    const le = log(max(1e-3, min(0.999, p.stopRestitution)));
    const zeta = -le / sqrt(Math.PI * Math.PI + le * le);
    this.cStop = 2 * zeta * sqrt(this.kStop * this.m);
    this.kf = p.kfNPerA;
    this.L = p.coilLmH / 1000;
    this.idxAngle = (p.camIndexAngleDeg * Math.PI) / 180;
    this.cartOffset = p.cartridgeOffsetMm / 1000;

    this.ambientC = opts.ambientC ?? 25;
    this.tempC = this.ambientC;
    this.soc = socFromOcv(opts.supplyV ?? 7.6);
    this.vBus = ocvFromSoc(this.soc);

    this.cartridge = opts.cartridge ?? true;
    this.level[R_CARTRIDGE] = this.physLevel[R_CARTRIDGE] = !this.cartridge; // active low
    this.skin.setNeedlePresent(this.cartridge);
    const so = opts.skin ?? {};
    this.skin.set(so.type ?? 'normal');
    if (so.stiffness !== undefined) this.skin.setStepFactor(so.stiffness);
    this.walkOn = so.randomWalk ?? true;
    this.surfOffset = (so.surfaceOffsetMm ?? 0) / 1000;
    this.applyWobble(so.wobble ?? { amplitudeMm: 0, freqHz: 2 });
    if (opts.needle) this.skin.setNeedle(opts.needle);

    // rest state
    if (stepper) {
      this.x = this.camX();
    } else {
      const kt = this.kS + (this.cartridge ? this.kM : 0);
      this.x = (this.kS * this.xS0 + (this.cartridge ? this.kM * this.xM0 : 0)) / kt;
    }
    this.xPrev = this.x;
    this.level[R_STAGE_HOME] = this.physLevel[R_STAGE_HOME] = !(this.stage <= p.stageHomeMm / 1000);
    this.level[R_CAM_INDEX] = this.physLevel[R_CAM_INDEX] = !this.indexLow(this.th);
    this.ocv = ocvFromSoc(this.soc);
    this.slowN = max(1, round(1e-3 / this.dt));
    this.slowLeft = this.slowN;
    this.updateCoilExp();
  }

  // =====================================================================================
  // HardwareModel
  // =====================================================================================

  advance(t: number): InputEdge[] {
    if (t > this.now) {
      const dt = this.dt;
      while (this.tGrid < t) {
        const t0 = this.tGrid;
        const t1 = t0 + dt;
        if (this.nextEventT < t1) this.runEvents(t1);
        if (this.nextPulseT <= t1) this.runStagePulses(t1);
        // whole steps up to the target, ending before the step of the next event or stage pulse
        let n = ceil((t - t0) / dt - 1e-9);
        const nE = floor((this.nextEventT - t0) / dt);
        const nP = ceil((this.nextPulseT - t0) / dt) - 1;
        if (nE < n) n = nE;
        if (nP < n) n = nP;
        if (n < 1) n = 1;
        if (this.isQuiescent()) {
          this.skipSteps(n);
          continue;
        }
        if (this.slowLeft < n) n = this.slowLeft;
        const done = this.variant === 'voiceCoil' ? this.batchVoiceCoil(n) : this.batchStepper(n);
        this.slowLeft -= done;
        if (this.slowLeft <= 0) this.slowTick();
      }
      this.now = t;
    }
    return this.popEdges(t);
  }

  setPinDrive(pin: string, drive: PinDrive): void {
    this.lastAcc = INF;
    const role = this.roleByPin.get(pin) ?? R_NONE;
    const kind = drive.kind === 'input' ? 0 : drive.kind === 'digital' ? 1 : 2;
    const val = drive.kind === 'digital' ? (drive.value ? 1 : 0) : drive.kind === 'pwm' ? drive.duty : 0;
    const freq = drive.kind === 'pwm' ? drive.freq : 0;
    switch (role) {
      case R_DRIVE_PWM:
        // a hardware PWM keeps running when only its duty changes; a new frequency restarts
        // the period (first new edge one period later); from a non-PWM state the pin goes
        // high at once (a STEP edge at `now`)
        if (kind === 2 && this.pwmKind === 2 && this.pwmFreq > 0) {
          if (freq !== this.pwmFreq) {
            this.pwmStart = this.now;
            this.nDone = 1;
          }
        } else {
          this.pwmStart = this.now;
          this.nDone = 0;
        }
        this.pwmKind = kind;
        this.pwmVal = val;
        this.pwmFreq = freq;
        break;
      case R_DRIVE_PHASE:
        if (!(kind === 2 && this.phKind === 2 && freq === this.phFreq)) this.phStart = this.now;
        this.phKind = kind;
        this.phVal = val;
        this.phFreq = freq;
        break;
      case R_STAGE_DIR:
        this.stageDirHigh = kind === 1 ? val > 0.5 : kind === 2 ? val >= 0.5 : false;
        break;
      case R_LED_R:
      case R_LED_G:
      case R_LED_B: {
        this.ledLevel[role - R_LED_R] = kind === 0 ? 0 : val;
        this.recordLed();
        break;
      }
      default:
        break;
    }
  }

  pulseTrain(pin: string, value: boolean, start: number, timesMs: number[]): void {
    if (this.roleByPin.get(pin) !== R_STAGE_STEP) return;
    // The pin is `value` for times[0], !value for times[1], …, and returns to !value after
    // the last interval. Each rising edge is one stage step.
    if (timesMs.length === 0) return;
    let t = start;
    let lvl = value;
    if (lvl) this.stagePulses.push(t);
    for (let k = 0; k < timesMs.length; k++) {
      t += timesMs[k] / 1000;
      const next = k === timesMs.length - 1 ? !value : !lvl;
      if (next !== lvl && next) this.stagePulses.push(t);
      lvl = next;
    }
    // keep the queue ordered (trains normally arrive in order)
    const q = this.stagePulses;
    let sorted = true;
    for (let k = max(this.stageHead, 1); k < q.length; k++) if (q[k] < q[k - 1]) sorted = false;
    if (!sorted) {
      const rest = q.slice(this.stageHead).sort((a, b) => a - b);
      this.stagePulses = rest;
      this.stageHead = 0;
    }
    this.nextPulseT = this.stageHead < this.stagePulses.length ? this.stagePulses[this.stageHead] : INF;
  }

  analogIn(pin: string): number {
    const role = this.roleByPin.get(pin) ?? R_NONE;
    const p = this.params;
    let fs: number;
    switch (role) {
      case R_HALL: {
        if (this.hallMode === 1) fs = 0.002 + 0.001 * this.noise.normal();
        else if (this.hallMode === 2) fs = 0.998 + 0.001 * this.noise.normal();
        else if (this.hallMode === 3) return this.hallStuckVal;
        else fs = this.hallTransfer(this.interp(this.xPrev, this.x, this.now - p.hallDelayUs * 1e-6)) + (p.hallNoiseFs + this.hallExtraNoise) * this.noise.normal();
        break;
      }
      case R_COIL_I: {
        const cur = this.variant === 'voiceCoil' ? this.interp(this.iSensePrev, this.iSense, this.now) : 0;
        fs = p.isenseOffsetFs + p.isenseGainFsPerA * cur + p.isenseNoiseFs * this.noise.normal();
        break;
      }
      case R_COIL_NTC:
        fs = this.ntcFs(this.tempC) + p.ntcNoiseFs * this.noise.normal();
        break;
      case R_VSUPPLY:
        fs = (p.vsenseGain * this.vBus) / 4 / 3.3 + p.vsenseNoiseFs * this.noise.normal();
        break;
      default:
        return this.digitalIn(pin) ? 1 : 0;
    }
    if (fs < 0) fs = 0;
    else if (fs > 1) fs = 1;
    return round(fs * ADC_COUNTS) / ADC_COUNTS;
  }

  digitalIn(pin: string): boolean {
    const role = this.roleByPin.get(pin) ?? R_NONE;
    switch (role) {
      case R_DRIVE_PWM:
        return this.pwmKind === 1 ? this.pwmVal > 0 : this.pwmKind === 2 ? pwmLevelAt(this.pwmVal, this.pwmFreq, this.pwmStart, this.now) : false;
      case R_DRIVE_PHASE:
        return this.phKind === 1 ? this.phVal > 0 : this.phKind === 2 ? pwmLevelAt(this.phVal, this.phFreq, this.phStart, this.now) : false;
      case R_STAGE_DIR:
        return this.stageDirHigh;
      case R_STAGE_STEP:
        return false; // idle level between digitalPulse trains
      case R_LED_R:
      case R_LED_G:
      case R_LED_B:
        return this.ledLevel[role - R_LED_R] > 0;
      case R_NONE:
        return false;
      default:
        return this.level[role];
    }
  }

  mcuReset(): void {
    this.floatOutputs();
  }

  // =====================================================================================
  // stepping
  // =====================================================================================

  /**
   * Voice coil: run up to `n` steps with the drive constant. Returns the steps done (fewer
   * only if a brown-out reset the MCU mid-batch). Locals only inside the loop.
   */
  private batchVoiceCoil(n: number): number {
    const dt = this.dt;
    const p = this.params;
    const skin = this.skin;
    let K = this.K;
    let x = this.x;
    let v = this.v;
    let i = this.i;
    let xPrev = this.xPrev;
    let iSense = this.iSense;
    let iSensePrev = this.iSensePrev;
    const kf = this.kf;
    const expI = this.expI;
    const rLoop = this.rLoop;
    const rCoil = this.rCoil;
    const iLim = p.currentLimitA;
    const invM = 1 / this.m;
    const kS = this.kS;
    const xS0 = this.xS0;
    const kM = this.cartridge ? this.kM : 0;
    const xM0 = this.xM0;
    const cV = this.cV;
    const fC = this.fC;
    const xMin = this.xMin;
    const xMax = this.xMax;
    const kStop = this.kStop;
    const cStop = this.cStop;
    const skinOn = this.cartridge && skin.tissue !== 'air';
    const tipOff = this.cartOffset;
    const ocv = this.ocv;
    const rBat = p.batteryRintOhm + this.sagExtraOhm;
    const drop = this.sagDropV;
    const forcedV = this.forcedV;
    const iq = p.quiescentA;
    let vBus = this.vBus;
    const coilOpen = this.coilOpen;
    const shortOhm = this.coilShortOhm;
    const rds = p.bridgeRdsOhm;
    const jammed = this.jammed;
    // drive: DRIVE_PWM (magnitude) and DRIVE_PHASE (push) as high fractions over each step
    const pwmVar = this.pwmKind === 2 && this.pwmVal > 0 && this.pwmVal < 1 && this.pwmFreq < AVERAGE_PWM_HZ;
    const dConst = this.pwmKind === 1 ? this.pwmVal : this.pwmKind === 2 ? (this.pwmFreq > 0 ? min(1, max(0, this.pwmVal)) : 0) : 0;
    const phVar = this.phKind === 2 && this.phVal > 0 && this.phVal < 1 && this.phFreq < AVERAGE_PWM_HZ;
    const phConst = this.phKind === 1 ? this.phVal : this.phKind === 2 ? (this.phFreq > 0 ? min(1, max(0, this.phVal)) : 0) : 0;
    const pwmVal = this.pwmVal;
    const pwmFreq = this.pwmFreq;
    const pwmStart = this.pwmStart;
    const phVal = this.phVal;
    const phFreq = this.phFreq;
    const phStart = this.phStart;
    // wobble phasor
    const wobA = this.wobA;
    const wobAW = this.wobA * this.wobW;
    const rc = this.wobRotC;
    const rs = this.wobRotS;
    let wc = this.wobC;
    let ws = this.wobS;
    const surfOff = this.surfOffset;
    let surf = this.surf;
    let surfV = this.surfV;
    // stroke detector
    const periodic = phVar && dConst + (pwmVar ? 1 : 0) > 0;
    this.strokeModeAt(periodic, K * dt, x + tipOff, phStart, phFreq);
    let nextPeriodT = this.nextPeriodT;
    let pk = this.pk;
    let pkT = this.pkT;
    let peakI = this.strokePeakI;
    let heatJ = this.heatJ;
    let charge = this.charge;
    let chop = this.ilimActive;
    let lowTime = this.lowTime;
    let done = 0;
    let brown = false;
    while (done < n) {
      const t0 = K * dt;
      const t1 = t0 + dt;
      // high fractions of the PWMs over [t0, t1] (inline: no boxed arguments in the hot loop)
      let d = dConst;
      if (pwmVar) {
        const a = (t0 - pwmStart) * pwmFreq;
        const b = a + dt * pwmFreq;
        const fa = floor(a);
        const fb = floor(b);
        const ra = a - fa;
        const rb = b - fb;
        d = (fb * pwmVal + (rb < pwmVal ? rb : pwmVal) - fa * pwmVal - (ra < pwmVal ? ra : pwmVal)) / (b - a);
      }
      let ph = phConst;
      if (phVar) {
        const a = (t0 - phStart) * phFreq;
        const b = a + dt * phFreq;
        const fa = floor(a);
        const fb = floor(b);
        const ra = a - fa;
        const rb = b - fb;
        ph = (fb * phVal + (rb < phVal ? rb : phVal) - fa * phVal - (ra < phVal ? ra : phVal)) / (b - a);
      }
      const en = d * ph;
      xPrev = x;
      iSensePrev = iSense;
      // --- coil: exact exponential over the step for constant drive and speed ---
      let iBridge = 0;
      let chopNow = false;
      if (coilOpen) {
        i = 0;
      } else if (shortOhm > 0) {
        // terminals shorted: the coil sees only its back-EMF through the short; the bridge
        // drives the short and chops at its current limit
        const iInf = (-kf * v) / rLoop;
        i = iInf + (i - iInf) * expI;
        if (ph > 0) {
          const ib = vBus / (shortOhm + rds);
          chopNow = ib > iLim;
          iBridge = (chopNow ? iLim : ib) * d;
        }
      } else {
        const iInf = (en * vBus - kf * v) / rLoop;
        i = iInf + (i - iInf) * expI;
        if (en > 0 && i > iLim) {
          i = iLim;
          chopNow = true;
        }
        iBridge = i;
      }
      if (chopNow && !chop) this.chopEvents++;
      chop = chopNow;
      iSense = iBridge;
      const iSup = (shortOhm > 0 ? ph : en) * iBridge + iq;
      charge += iSup * dt;
      heatJ += i * i * rCoil * dt;
      // --- supply: sag on the pack's internal resistance, brown-out detector ---
      vBus = ocv - rBat * iSup - drop;
      if (vBus > forcedV) vBus = forcedV;
      if (vBus < BROWNOUT_V) {
        if (vBus < 0) vBus = 0;
        lowTime += dt;
        if (vBus < this.lowMin) this.lowMin = vBus;
        if (lowTime > BROWNOUT_S && !this.browned) brown = true;
      } else if (vBus > BROWNOUT_V + BROWNOUT_HYST_V) {
        lowTime = 0;
        this.lowMin = INF;
        this.browned = false;
      }
      // --- skin surface: hand wobble by phasor rotation ---
      if (wobA > 0) {
        const c = wc * rc - ws * rs;
        ws = ws * rc + wc * rs;
        wc = c;
        surf = surfOff + wobA * ws;
        surfV = wobAW * wc;
      }
      // --- mechanics: semi-implicit Euler ---
      if (jammed) {
        x = this.jamX;
        v = 0;
        if (skinOn) {
          skin.u = x + tipOff - surf;
          skin.ud = -surfV;
          skin.step();
        }
        this.lastAcc = 0;
      } else {
        let f = kf * i - kS * (x - xS0) - kM * (x - xM0) - cV * v - (fC * v) / ((v < 0 ? -v : v) + 1e-3);
        if (skinOn) {
          skin.u = x + tipOff - surf;
          skin.ud = v - surfV;
          skin.step();
          f -= skin.F;
        }
        if (x > xMax) {
          const fs = -kStop * (x - xMax) - cStop * v;
          if (fs < 0) f += fs;
        } else if (x < xMin) {
          const fs = kStop * (xMin - x) - cStop * v;
          if (fs > 0) f += fs;
        }
        const a = f * invM;
        v += a * dt;
        x += v * dt;
        if (done === n - 1) this.lastAcc = a;
      }
      K++;
      done++;
      // --- stroke detector on the true tip ---
      const ai = i < 0 ? -i : i;
      if (ai > peakI) peakI = ai;
      const tip = x + tipOff;
      if (periodic) {
        if (t1 >= nextPeriodT) {
          if (pk > -INF) this.emitStroke(pkT, pk, peakI);
          peakI = 0;
          pk = -INF;
          nextPeriodT = phStart + (floor((t1 - phStart) * phFreq + 1e-9) + 1) / phFreq;
        }
        if (tip > pk) {
          pk = tip;
          pkT = t1;
        }
      } else {
        this.pk = pk;
        this.pkT = pkT;
        this.strokePeakI = peakI;
        this.hTip = tip;
        this.hT = t1;
        this.hysteresisStroke();
        pk = this.pk;
        pkT = this.pkT;
        peakI = this.strokePeakI;
      }
      if (brown) break;
    }
    this.K = K;
    this.tGrid = K * dt;
    this.x = x;
    this.v = v;
    this.i = i;
    this.xPrev = xPrev;
    this.iSense = iSense;
    this.iSensePrev = iSensePrev;
    this.vBus = vBus;
    this.wobC = wc;
    this.wobS = ws;
    this.surf = surf;
    this.surfV = surfV;
    this.nextPeriodT = nextPeriodT;
    this.pk = pk;
    this.pkT = pkT;
    this.strokePeakI = peakI;
    this.heatJ = heatJ;
    this.charge = charge;
    this.ilimActive = chop;
    this.lowTime = lowTime;
    if (brown) this.brownout(this.tGrid);
    return done;
  }

  /** Enter or leave the periodic stroke mode at the start of a batch. */
  private strokeModeAt(periodic: boolean, t0: number, tip: number, start: number, freq: number): void {
    if (periodic) {
      if (!this.inPeriodic) {
        this.inPeriodic = true;
        this.pk = -INF;
        this.strokePeakI = 0;
        this.perStart = NaN;
      }
      if (freq > 0 && (start !== this.perStart || freq !== this.perFreq)) {
        // a new stroke clock: the stroke in progress ends here
        if (this.perStart === this.perStart && this.pk > -INF) {
          this.emitStroke(this.pkT, this.pk, this.strokePeakI);
          this.pk = -INF;
          this.strokePeakI = 0;
        }
        this.perStart = start;
        this.perFreq = freq;
        this.nextPeriodT = start + (floor((t0 - start) * freq + 1e-9) + 1) / freq;
      }
    } else if (this.inPeriodic) {
      this.inPeriodic = false;
      this.rising = true;
      this.pk = tip;
      this.pkT = t0;
    }
  }

  private hTip = 0;
  private hT = 0;

  /** Rise-and-fall stroke detector (non-periodic drive), inputs in hTip, hT. */
  private hysteresisStroke(): void {
    const tip = this.hTip;
    const t1 = this.hT;
    if (this.rising) {
      if (tip > this.pk) {
        this.pk = tip;
        this.pkT = t1;
      } else if (tip < this.pk - STROKE_HYST) {
        this.emitStroke(this.pkT, this.pk, this.strokePeakI);
        this.strokePeakI = 0;
        this.rising = false;
        this.trough = tip;
      }
    } else if (tip < this.trough) {
      this.trough = tip;
    } else if (tip > this.trough + STROKE_HYST) {
      this.rising = true;
      this.pk = tip;
      this.pkT = t1;
    }
  }

  /** Stepper: run up to `n` steps with the drive constant; returns the steps done. */
  private batchStepper(n: number): number {
    const dt = this.dt;
    const p = this.params;
    const skin = this.skin;
    let K = this.K;
    let th = this.th;
    let om = this.om;
    let thC = this.thC;
    let nDone = this.nDone;
    let x = this.x;
    let v = this.v;
    let xPrev = this.xPrev;
    const phVar = this.phKind === 2 && this.phVal > 0 && this.phVal < 1;
    const enConst = (this.phKind === 1 && this.phVal > 0) || (this.phKind === 2 && this.phVal >= 1 && this.phFreq > 0);
    const stepping = this.pwmKind === 2 && this.pwmFreq > 0 && this.pwmVal > 0 && this.pwmVal < 1;
    const stepFreq = this.pwmFreq;
    const stepStart = this.pwmStart;
    const micro = TWO_PI / MICROSTEPS_PER_REV;
    const tHold = p.stepperHoldTorqueMNm / 1000;
    const invWc = 1 / (p.stepperCornerRevPerS * TWO_PI);
    const bSlip = p.stepperSlipDampingUNmsPerRad * 1e-6;
    const bVisc = p.stepperViscousUNmsPerRad * 1e-6;
    const tDet = p.stepperDetentMNm / 1000;
    const tFric = p.stepperFrictionMNm / 1000;
    const jRot = p.rotorInertiaGcm2 * 1e-7;
    const mBar = this.m;
    const h2 = (0.5 * p.camThrowMm) / 1000;
    const base = this.stage - p.camOffsetMm / 1000;
    const kM = this.cartridge ? this.kM : 0;
    const xM0 = this.xM0;
    const skinOn = this.cartridge && skin.tissue !== 'air';
    const tipOff = this.cartOffset;
    const stall = this.stallTorque;
    const blocked = this.rotorBlocked;
    const ocv = this.ocv;
    const rBat = p.batteryRintOhm + this.sagExtraOhm;
    const drop = this.sagDropV;
    const forcedV = this.forcedV;
    const iq = p.quiescentA;
    const pw = p.stepperPowerW;
    let vBus = this.vBus;
    const wobA = this.wobA;
    const wobAW = this.wobA * this.wobW;
    const rc = this.wobRotC;
    const rs = this.wobRotS;
    let wc = this.wobC;
    let ws = this.wobS;
    const surfOff = this.surfOffset;
    let surf = this.surf;
    let surfV = this.surfV;
    const idxA = this.idxAngle;
    let heatJ = this.heatJ;
    let charge = this.charge;
    let lowTime = this.lowTime;
    const periodicStart = abs(om) > 1;
    this.strokeModeAt(periodicStart, K * dt, x + tipOff, 0, 0);
    let lobe = floor((CAM_LOBES * th) / TWO_PI);
    // cam phasor, exact at each batch start
    let s3 = sin(CAM_LOBES * th);
    let c3 = cos(CAM_LOBES * th);
    let pk = this.pk;
    let pkT = this.pkT;
    let done = 0;
    let brown = false;
    while (done < n) {
      const t0 = K * dt;
      const t1 = t0 + dt;
      const enabled = phVar ? pwmHighFraction(this.phVal, this.phFreq, this.phStart, t0, t1) > 0.5 : enConst;
      let fieldW = 0;
      if (stepping) {
        const nS = floor((t1 - stepStart) * stepFreq) + 1;
        if (enabled) {
          thC += (nS - nDone) * micro;
          fieldW = stepFreq * micro;
        }
        nDone = nS;
      }
      xPrev = x;
      let tm = 0;
      if (enabled) {
        const aom = om < 0 ? -om : om;
        const tpo = tHold / (1 + (aom * invWc * 7.4) / (vBus > 1 ? vBus : 1));
        tm = tpo * sin(ROTOR_TEETH * (thC - th)) + bSlip * (fieldW - om);
      }
      const lp = h2 * CAM_LOBES * s3;
      const lpp = h2 * CAM_LOBES * CAM_LOBES * c3;
      v = lp * om;
      let fExt = CAM_BAR_DAMPING * v;
      if (skinOn) {
        skin.u = x + tipOff - surf;
        skin.ud = v - surfV;
        skin.step();
        fExt += skin.F;
      }
      fExt += kM * (x - xM0);
      if (!blocked) {
        const tLoad = fExt * lp + stall + (tFric * om) / ((om < 0 ? -om : om) + 0.5);
        // detent torque: a 200-per-rev ripple; above DETENT_MAX_W it averages out over the
        // rotor inertia and is left out (saves a sin per step at speed)
        const det = om < DETENT_MAX_W && om > -DETENT_MAX_W ? tDet * sin(FULL_STEPS * th) : 0;
        const acc = (tm - det - tLoad - bVisc * om - mBar * lp * lpp * om * om) / (jRot + mBar * lp * lp);
        om += acc * dt;
        const dth = om * dt;
        th += dth;
        // rotate the cam phasor (sin 3θ, cos 3θ) by 3·dθ: Taylor to 5th order for small angles
        const q = CAM_LOBES * dth;
        if (q < 0.1 && q > -0.1) {
          const q2 = q * q;
          const sq = q * (1 - (q2 / 6) * (1 - q2 / 20));
          const cq = 1 - (q2 / 2) * (1 - q2 / 12);
          const ns = s3 * cq + c3 * sq;
          c3 = c3 * cq - s3 * sq;
          s3 = ns;
        } else {
          s3 = sin(CAM_LOBES * th);
          c3 = cos(CAM_LOBES * th);
        }
        if (done === n - 1) this.lastAcc = acc;
      } else {
        om = 0;
        this.lastAcc = 0;
      }
      x = base + h2 * (1 - c3);
      // cam index: active low in a small window once per revolution
      let a = th - idxA;
      a -= TWO_PI * floor(a / TWO_PI);
      const low = a < INDEX_WINDOW_RAD;
      if (low === this.physLevel[R_CAM_INDEX]) {
        let te = t1;
        if (om > 0) {
          const back = (low ? a : a - INDEX_WINDOW_RAD) / om;
          if (back > 0 && back < dt) te = t1 - back;
        }
        this.queueEdge(R_CAM_INDEX, te, !low);
      }
      // supply and heat (chopper drive: constant winding current while enabled)
      const pMech = tm * om > 0 ? tm * om : 0;
      const iSup = iq + (enabled ? (pw + pMech / 0.7) / (vBus > 1 ? vBus : 1) : 0);
      charge += iSup * dt;
      if (enabled) heatJ += pw * dt;
      vBus = ocv - rBat * iSup - drop;
      if (vBus > forcedV) vBus = forcedV;
      if (vBus < BROWNOUT_V) {
        if (vBus < 0) vBus = 0;
        lowTime += dt;
        if (vBus < this.lowMin) this.lowMin = vBus;
        if (lowTime > BROWNOUT_S && !this.browned) brown = true;
      } else if (vBus > BROWNOUT_V + BROWNOUT_HYST_V) {
        lowTime = 0;
        this.lowMin = INF;
        this.browned = false;
      }
      if (wobA > 0) {
        const c = wc * rc - ws * rs;
        ws = ws * rc + wc * rs;
        wc = c;
        surf = surfOff + wobA * ws;
        surfV = wobAW * wc;
      }
      K++;
      done++;
      // stroke detector: one stroke per cam lobe while turning
      const tip = x + tipOff;
      if (periodicStart) {
        const lb = floor((CAM_LOBES * th) / TWO_PI);
        if (lb !== lobe) {
          if (pk > -INF) this.emitStroke(pkT, pk, 0);
          pk = -INF;
          lobe = lb;
        }
        if (tip > pk) {
          pk = tip;
          pkT = t1;
        }
      } else {
        this.pk = pk;
        this.pkT = pkT;
        this.hTip = tip;
        this.hT = t1;
        this.hysteresisStroke();
        pk = this.pk;
        pkT = this.pkT;
      }
      if (brown) break;
    }
    this.K = K;
    this.tGrid = K * dt;
    this.th = th;
    this.om = om;
    this.thC = thC;
    this.nDone = nDone;
    this.x = x;
    this.v = v;
    this.xPrev = xPrev;
    this.iSense = 0;
    this.iSensePrev = 0;
    this.vBus = vBus;
    this.wobC = wc;
    this.wobS = ws;
    this.surf = surf;
    this.surfV = surfV;
    this.pk = pk;
    this.pkT = pkT;
    this.heatJ = heatJ;
    this.charge = charge;
    this.lowTime = lowTime;
    if (brown) this.brownout(this.tGrid);
    return done;
  }

  private camX(): number {
    const p = this.params;
    const h = p.camThrowMm / 1000;
    return this.stage + 0.5 * h * (1 - cos(CAM_LOBES * this.th)) - p.camOffsetMm / 1000;
  }

  private indexLow(th: number): boolean {
    let a = th - this.idxAngle;
    a -= TWO_PI * floor(a / TWO_PI);
    return a < INDEX_WINDOW_RAD;
  }

  /**
   * Slow states, every ~1 ms of virtual time (they change over seconds): temperature from the
   * heat accumulated by the fast loop, state of charge and open-circuit voltage, coil
   * resistance and its step factor, the skin's random walk, wobble phasor normalisation.
   */
  private slowTick(): void {
    const p = this.params;
    const h = (this.K - this.slowK) * this.dt;
    this.slowK = this.K;
    this.slowLeft = this.slowN;
    if (h > 0) {
      const rth = p.thermalResistanceKPerW * this.rthFactor;
      const T = this.tempC;
      this.tempC = T + (this.heatJ - ((T - this.ambientC) / rth) * h) / p.thermalCapacityJPerK;
      this.heatJ = 0;
      this.soc -= this.charge / (3600 * p.batteryCapacityAh);
      this.charge = 0;
      if (this.walkOn) this.skin.tick(h);
    }
    this.ocv = ocvFromSoc(this.soc);
    this.updateCoilExp();
    if (this.wobA > 0) {
      const n = sqrt(this.wobC * this.wobC + this.wobS * this.wobS);
      this.wobC /= n;
      this.wobS /= n;
    }
  }

  private emitStroke(time: number, bottom: number, peakI: number): void {
    const sk = this.skin;
    this.traces.push(time, bottom * 1000, sk.maxDepthThisStroke * 1000, sk.puncturedThisStroke, peakI, this.tempC);
    sk.newStroke();
  }

  private updateCoilExp(): void {
    const p = this.params;
    const rc = p.coilR20Ohm * (1 + p.coilTempcoPerK * (this.tempC - 20));
    const loop = this.coilShortOhm > 0 ? rc + this.coilShortOhm : rc + p.bridgeRdsOhm;
    if (abs(loop - this.rLoop) > 1e-5 * loop || abs(rc - this.rCoil) > 1e-5 * rc) {
      this.rCoil = rc;
      this.rLoop = loop;
      this.expI = exp((-this.dt * loop) / this.L);
    }
  }

  private isQuiescent(): boolean {
    if (abs(this.v) > 1e-7 || !(abs(this.lastAcc) <= 1e-4)) return false;
    if (this.forcedV < INF || this.vBus < BROWNOUT_V + BROWNOUT_HYST_V) return false;
    if (this.skin.punctured || abs(this.skin.w) > 1e-12) return false;
    // the tip must be clear of the lowest possible skin surface
    if (this.cartridge && this.skin.tissue !== 'air' && this.x + this.cartOffset > this.surfOffset - this.wobA - 1e-5) return false;
    if (this.variant === 'voiceCoil') {
      if (abs(this.i) > 1e-9) return false;
      const drivable = this.pwmKind !== 0 && this.pwmVal > 0 && this.phKind !== 0 && this.phVal > 0;
      if (drivable) return false;
      if (!this.jammed) {
        // static force balance: springs (and stops) must be at equilibrium
        const x = this.x;
        let f = this.kf * this.i - this.kS * (x - this.xS0) - (this.cartridge ? this.kM * (x - this.xM0) : 0);
        if (x > this.xMax) f -= this.kStop * (x - this.xMax);
        else if (x < this.xMin) f += this.kStop * (this.xMin - x);
        if (abs(f / this.m) > 1e-3) return false;
      }
    } else {
      if (abs(this.om) > 1e-9 || this.stallTorque !== 0) return false;
      const stepping = this.pwmKind === 2 && this.pwmFreq > 0 && this.pwmVal > 0 && this.pwmVal < 1;
      const enabled = this.phKind !== 0 && this.phVal > 0;
      if (stepping && enabled) return false;
    }
    return true;
  }

  /** Advance n whole steps of a quiescent pen analytically (thermal, supply, walk, wobble phase). */
  private skipSteps(n: number): void {
    this.slowTick(); // bring the slow states up to now
    const dt = this.dt;
    const h = n * dt;
    const p = this.params;
    const stepper = this.variant === 'stepper';
    const enabled = this.phKind !== 0 && this.phVal > 0;
    const power = stepper && enabled ? p.stepperPowerW : 0;
    const rth = p.thermalResistanceKPerW * this.rthFactor;
    const tEq = this.ambientC + power * rth;
    this.tempC = tEq + (this.tempC - tEq) * exp(-h / (rth * p.thermalCapacityJPerK));
    const iSup = p.quiescentA + (stepper && enabled ? p.stepperPowerW / max(this.vBus, 1) : 0);
    this.soc -= (iSup * h) / (3600 * p.batteryCapacityAh);
    this.ocv = ocvFromSoc(this.soc);
    this.vBus = max(0, this.ocv - (p.batteryRintOhm + this.sagExtraOhm) * iSup - this.sagDropV);
    this.updateCoilExp();
    if (this.wobA > 0) {
      const ang = atan2(this.wobS, this.wobC) + this.wobW * h;
      this.wobS = sin(ang);
      this.wobC = cos(ang);
      this.surf = this.surfOffset + this.wobA * this.wobS;
      this.surfV = this.wobA * this.wobW * this.wobC;
    }
    if (this.walkOn) this.skin.tick(h);
    if (stepper && this.pwmKind === 2 && this.pwmFreq > 0) {
      this.nDone = floor((this.tGrid + h - this.pwmStart) * this.pwmFreq) + 1;
    }
    this.xPrev = this.x;
    this.iSensePrev = this.iSense;
    this.K += n;
    this.tGrid = this.K * dt;
    this.slowK = this.K;
    this.slowLeft = this.slowN;
  }

  // =====================================================================================
  // events, edges, pulses
  // =====================================================================================

  /** Run `fn` at virtual time `time` (at the first grid step ending after it; at once if not in the future). */
  schedule(time: number | undefined, fn: () => void): void {
    const t = time ?? this.apiNow();
    if (t <= this.now) {
      fn();
      this.lastAcc = INF;
      return;
    }
    const ev: Scheduled = { time: t, seq: this.seq++, run: fn };
    const q = this.events;
    let k = q.length;
    while (k > 0 && (q[k - 1].time > t || (q[k - 1].time === t && q[k - 1].seq > ev.seq))) k--;
    q.splice(k, 0, ev);
    this.nextEventT = q[0].time;
  }

  private runEvents(t1: number): void {
    const q = this.events;
    while (q.length > 0 && q[0].time < t1) {
      const ev = q.shift() as Scheduled;
      // APIs called from the event see the event's own time as "now"
      this.evTime = ev.time;
      ev.run();
      this.evTime = NaN;
    }
    this.nextEventT = q.length > 0 ? q[0].time : INF;
    this.lastAcc = INF; // re-evaluate quiescence after any change
  }

  private evTime = NaN;

  /** "Now" for the public APIs: the board's time, or a scheduled event's own time while it runs. */
  private apiNow(): number {
    return this.evTime === this.evTime ? this.evTime : this.now;
  }

  private runStagePulses(t1: number): void {
    const q = this.stagePulses;
    const p = this.params;
    const travel = p.stageTravelMm / 1000;
    const stepM = 1 / p.stageStepsPerMm / 1000;
    while (this.stageHead < q.length && q[this.stageHead] <= t1) {
      const tp = q[this.stageHead++];
      if (tp - this.lastStageStepT < 1 / p.stageMaxStepRate) {
        this.stageLost++;
        continue;
      }
      this.lastStageStepT = tp;
      let s = this.stage + (this.stageDirHigh ? stepM : -stepM);
      if (s > travel) {
        s = travel;
        this.stageLost++;
      } else if (s < 0) {
        s = 0;
        this.stageLost++;
      }
      this.stage = s;
      if (this.variant === 'stepper') this.x = this.camX();
      const homeLow = s <= p.stageHomeMm / 1000 + 1e-12;
      if (homeLow === this.physLevel[R_STAGE_HOME]) this.queueEdge(R_STAGE_HOME, tp, !homeLow);
    }
    if (this.stageHead > 4096) {
      this.stagePulses = q.slice(this.stageHead);
      this.stageHead = 0;
    }
    this.nextPulseT = this.stageHead < this.stagePulses.length ? this.stagePulses[this.stageHead] : INF;
  }

  /**
   * A physical input edge at time `t`. The pin's level (as digitalIn sees it) changes when the
   * board's time reaches `t`; `level[role]` below tracks the *physical* state for edge detection.
   */
  private queueEdge(role: number, t: number, value: boolean): void {
    this.physLevel[role] = value;
    if (t <= this.lastAdvanceT) t = this.lastAdvanceT + 1e-9;
    const pin = this.pinByRole[role];
    const e: InputEdge = { pin, time: t, value };
    const q = this.pending;
    let k = q.length;
    while (k > 0 && q[k - 1].time > t) k--;
    q.splice(k, 0, e);
  }

  private popEdges(t: number): InputEdge[] {
    this.lastAdvanceT = max(this.lastAdvanceT, t);
    const q = this.pending;
    if (q.length === 0 || q[0].time > t) return NO_EDGES;
    let k = 0;
    while (k < q.length && q[k].time <= t) k++;
    const out = q.splice(0, k);
    for (const e of out) {
      const role = this.roleByPin.get(e.pin);
      if (role !== undefined) this.level[role] = e.value;
    }
    return out;
  }

  // =====================================================================================
  // helpers used by the APIs
  // =====================================================================================

  private interp(a: number, b: number, t: number): number {
    const f = (t - (this.tGrid - this.dt)) / this.dt;
    if (f <= 0) return a;
    if (f >= 1) return b;
    return a + (b - a) * f;
  }

  private hallTransfer(xm: number): number {
    const p = this.params;
    const nominal = 0.1 + (0.8 * (xm * 1000 - HALL_X0_MM)) / HALL_SPAN_MM;
    const gain = p.hallGain * (1 + p.hallTempcoPerK * (this.tempC - 25));
    let fs = 0.5 + gain * (nominal - 0.5) + p.hallOffsetFs;
    if (fs < HALL_SAT_LO) fs = HALL_SAT_LO;
    else if (fs > HALL_SAT_HI) fs = HALL_SAT_HI;
    return fs;
  }

  private ntcFs(tempC: number): number {
    const p = this.params;
    const r = p.ntcR25Ohm * exp(p.ntcBetaK * (1 / (tempC + 273.15) - 1 / 298.15));
    return r / (r + p.ntcPullupOhm);
  }

  private brownout(t: number): void {
    this.browned = true;
    this.brownoutPending = true;
    const e: BrownoutEvent = { time: t, minVoltage: this.lowMin };
    this.brownouts.push(e);
    // the MCU is held in reset: its outputs float, the bridge brakes, the stepper de-energises
    this.floatOutputs();
    for (const l of this.brownoutListeners) l(e);
  }

  private floatOutputs(): void {
    this.pwmKind = 0;
    this.pwmVal = 0;
    this.phKind = 0;
    this.phVal = 0;
    this.nDone = 0;
    this.stageDirHigh = false;
    this.stagePulses = [];
    this.stageHead = 0;
    this.nextPulseT = INF;
    if (this.ledLevel[0] || this.ledLevel[1] || this.ledLevel[2]) {
      this.ledLevel[0] = this.ledLevel[1] = this.ledLevel[2] = 0;
      this.recordLed();
    }
  }

  private recordLed(): void {
    this.ledHist.push({ time: this.now, r: this.ledLevel[0], g: this.ledLevel[1], b: this.ledLevel[2] });
    if (this.ledHist.length > 10000) this.ledHist.splice(0, this.ledHist.length - 10000);
  }

  private applyWobble(w: WobbleConfig): void {
    this.wobA = max(0, w.amplitudeMm) / 1000;
    this.wobW = TWO_PI * w.freqHz;
    this.wobRotC = cos(this.wobW * this.dt);
    this.wobRotS = sin(this.wobW * this.dt);
    if (this.wobA === 0) {
      this.surf = this.surfOffset;
      this.surfV = 0;
    }
  }

  /** Schedule a bouncy transition of an active-low contact to `closed` at time t0. */
  private contact(role: number, t0: number, closed: boolean): void {
    const final = !closed; // active low
    const rng = this.handRng;
    const nb = floor(rng.next() * 4); // 0..3 bounces
    const win = rng.uniform(0.3, BOUNCE_MAX_MS) / 1000;
    const times: number[] = [];
    for (let k = 0; k < 2 * nb; k++) times.push(t0 + rng.next() * win);
    times.sort((a, b) => a - b);
    this.queueEdge(role, t0, final);
    let lv = final;
    for (const t of times) {
      lv = !lv;
      this.queueEdge(role, t, lv);
    }
  }

  private setCartridge(present: boolean, offsetMm?: number): void {
    this.cartridge = present;
    if (offsetMm !== undefined) this.cartOffset = offsetMm / 1000;
    this.skin.setNeedlePresent(present);
  }

  // =====================================================================================
  // public APIs
  // =====================================================================================

  /** Current virtual time of the model (the board's last advance target). */
  time(): number {
    return this.now;
  }

  readonly handset = {
    /** Press a button for `durationMs` starting at `at` (default now), with contact bounce. */
    press: (button: ButtonName, durationMs: number, at?: number): void => {
      const role = ROLE_OF[button];
      const t0 = max(at ?? this.apiNow(), this.apiNow());
      this.contact(role, t0, true);
      this.contact(role, t0 + durationMs / 1000, false);
    },
    /** Hold a button down (until `release`). */
    hold: (button: ButtonName, at?: number): void => this.contact(ROLE_OF[button], max(at ?? this.apiNow(), this.apiNow()), true),
    release: (button: ButtonName, at?: number): void => this.contact(ROLE_OF[button], max(at ?? this.apiNow(), this.apiNow()), false),
    pedalDown: (at?: number): void => this.contact(R_PEDAL, max(at ?? this.apiNow(), this.apiNow()), true),
    pedalUp: (at?: number): void => this.contact(R_PEDAL, max(at ?? this.apiNow(), this.apiNow()), false),
    /** Seat a cartridge (optionally with its own tip offset, mm). */
    insertCartridge: (at?: number, opts?: { offsetMm?: number }): void => {
      const t0 = max(at ?? this.apiNow(), this.apiNow());
      this.contact(R_CARTRIDGE, t0, true);
      this.schedule(t0, () => this.setCartridge(true, opts?.offsetMm));
    },
    removeCartridge: (at?: number): void => {
      const t0 = max(at ?? this.apiNow(), this.apiNow());
      this.contact(R_CARTRIDGE, t0, false);
      this.schedule(t0, () => this.setCartridge(false));
    },
  };

  readonly leds = {
    /** Brightness 0..1 per channel now. */
    current: (): { r: number; g: number; b: number } => ({ r: this.ledLevel[0], g: this.ledLevel[1], b: this.ledLevel[2] }),
    /** Colour name from the on/off state of the channels. */
    colour: (): string => {
      const [r, g, b] = this.ledLevel.map((l) => l > 0);
      const names = ['off', 'blue', 'green', 'cyan', 'red', 'magenta', 'yellow', 'white'];
      return names[(r ? 4 : 0) + (g ? 2 : 0) + (b ? 1 : 0)];
    },
    history: (): LedState[] => this.ledHist.slice(),
  };

  /** Technician's dial indicator / depth rig: ground truth, 1 µm resolution. The firmware never sees it. */
  readonly gauge = {
    /** True needle-tip protrusion now, mm (with no cartridge: where the tip would be). */
    protrusionMm: (): number => round(this.interp(this.xPrev, this.x, this.now) * 1e6 + this.cartOffset * 1e6) / 1000,
    /** Needle bar position (what the Hall sensor sees), mm. */
    barMm: (): number => round(this.interp(this.xPrev, this.x, this.now) * 1e6) / 1000,
    /** Depth of the tip in tissue now, mm (0 when not punctured). */
    depthInTissueMm: (): number => round(this.skin.d * 1e6) / 1000,
    /** Bottom-of-stroke history, rounded to the gauge resolution. */
    strokes: (since?: number): StrokeRecord[] =>
      this.traces.strokes(since).map((r) => ({ ...r, bottomMm: round(r.bottomMm * 1000) / 1000, depthInTissueMm: round(r.depthInTissueMm * 1000) / 1000 })),
    /** Skin surface position relative to the cartridge tip now, mm. */
    surfaceMm: (): number => round(this.surf * 1e6) / 1000,
  };

  readonly faults = {
    inject: <K extends FaultKind>(kind: K, params: FaultParams[K] = {} as FaultParams[K], at?: number): void => {
      this.schedule(at, () => this.applyFault(kind, params, true));
    },
    clear: (kind: FaultKind, at?: number): void => {
      this.schedule(at, () => this.applyFault(kind, {} as never, false));
    },
    active: (): FaultKind[] => Array.from(this.activeFaults),
  };

  private readonly activeFaults = new Set<FaultKind>();

  private applyFault<K extends FaultKind>(kind: K, params: FaultParams[K], on: boolean): void {
    if (on) this.activeFaults.add(kind);
    else this.activeFaults.delete(kind);
    const pr = params as Record<string, unknown>;
    const num = (k: string, d: number): number => (typeof pr[k] === 'number' ? (pr[k] as number) : d);
    switch (kind) {
      case 'hallDisconnected':
        this.hallMode = on ? (pr.level === 'high' ? 2 : 1) : 0;
        break;
      case 'hallStuck':
        if (on) {
          this.hallStuckVal =
            typeof pr.value === 'number' ? pr.value : round(this.hallTransfer(this.x) * ADC_COUNTS) / ADC_COUNTS;
          this.hallMode = 3;
        } else this.hallMode = 0;
        break;
      case 'hallNoisy':
        this.hallExtraNoise = on ? num('sigmaFs', 0.03) : 0;
        break;
      case 'coilOpen':
        this.coilOpen = on;
        break;
      case 'coilShorted':
        this.coilShortOhm = on ? num('ohms', 0.2) : 0;
        this.rLoop = 0;
        this.updateCoilExp();
        break;
      case 'supplySag':
        this.sagDropV = on ? num('dropV', 1.0) : 0;
        this.sagExtraOhm = on ? num('extraOhm', 0) : 0;
        break;
      case 'brownout':
        if (on) {
          this.forcedV = num('voltage', 3.0);
          const dur = num('durationMs', 5);
          this.schedule(this.apiNow() + dur / 1000, () => {
            this.forcedV = INF;
            this.activeFaults.delete('brownout');
          });
        } else this.forcedV = INF;
        break;
      case 'overTemp':
        if (on) {
          this.rthFactor = num('rthFactor', 1);
          this.tempC += num('heatJ', 0) / this.params.thermalCapacityJPerK;
          if (typeof pr.ambientC === 'number') this.ambientC = pr.ambientC;
        } else this.rthFactor = 1;
        break;
      case 'jam':
        this.jammed = on;
        if (on) {
          this.jamX = typeof pr.positionMm === 'number' ? pr.positionMm / 1000 : this.x;
          this.v = 0;
        }
        if (this.variant === 'stepper') this.rotorBlocked = on;
        break;
      case 'cartridgePulled':
        if (on) this.handset.removeCartridge();
        else this.handset.insertCartridge();
        break;
      case 'stall':
        if (on) {
          this.stallTorque = num('loadTorqueMNm', 0) / 1000;
          this.rotorBlocked = pr.blocked === true;
          if (typeof pr.durationMs === 'number') {
            this.schedule(this.apiNow() + pr.durationMs / 1000, () => this.applyFault('stall', {}, false));
          }
        } else {
          this.stallTorque = 0;
          this.rotorBlocked = this.jammed && this.variant === 'stepper';
        }
        break;
    }
  }

  readonly conditions = {
    setSkin: (type: TissueType, at?: number): void => this.schedule(at, () => this.skin.set(type)),
    /** Multiply the tissue stiffness by `factor` from `at` on (1 = the tissue type's own). */
    setStiffnessStep: (factor: number, at?: number): void => this.schedule(at, () => this.skin.setStepFactor(factor)),
    setWobble: (w: WobbleConfig, at?: number): void => this.schedule(at, () => this.applyWobble(w)),
    setSurfaceOffset: (mm: number, at?: number): void =>
      this.schedule(at, () => {
        this.surfOffset = mm / 1000;
        if (this.wobA === 0) this.surf = this.surfOffset;
      }),
    setRandomWalk: (on: boolean, at?: number): void => this.schedule(at, () => (this.walkOn = on)),
    setNeedle: (n: NeedleConfig, at?: number): void => this.schedule(at, () => this.skin.setNeedle(n)),
    /** Set the battery's open-circuit voltage (i.e. its state of charge). */
    setSupplyVoltage: (v: number, at?: number): void => this.schedule(at, () => (this.soc = socFromOcv(v))),
    setStateOfCharge: (soc: number, at?: number): void => this.schedule(at, () => (this.soc = max(0, min(1, soc)))),
    setAmbient: (c: number, at?: number): void => this.schedule(at, () => (this.ambientC = c)),
    /** Terminal voltage of the battery now (after sag), V. */
    supplyVoltage: (): number => this.vBus,
    openCircuitVoltage: (): number => ocvFromSoc(this.soc),
    stateOfCharge: (): number => this.soc,
    coilTempC: (): number => this.tempC,
    tissue: (): TissueType => this.skin.tissue,
    stiffnessMultiplier: (): number => this.skin.stiffnessMultiplier(),
  };

  readonly power = {
    brownouts: (): BrownoutEvent[] => this.brownouts.slice(),
    /** True once per brown-out: the board should reset the firmware when it sees it. */
    takeBrownout: (): boolean => {
      const b = this.brownoutPending;
      this.brownoutPending = false;
      return b;
    },
    /** The supply is below the brown-out threshold right now (MCU held in reset). */
    inBrownout: (): boolean => this.browned,
    onBrownout: (cb: (e: BrownoutEvent) => void): void => {
      this.brownoutListeners.push(cb);
    },
  };

  /** Drive-side observations (not visible to the firmware). */
  readonly drive = {
    coilCurrentA: (): number => this.i,
    currentLimitActive: (): boolean => this.ilimActive,
    chopEvents: (): number => this.chopEvents,
    velocityMps: (): number => this.v,
  };

  readonly stepper = {
    /** Full steps the rotor lags the commanded field, in whole electrical cycles (multiples of 4). */
    lostFullSteps: (): number => 4 * round((ROTOR_TEETH * (this.thC - this.th)) / TWO_PI) + 0,
    /** Lag of the rotor behind the field, full steps (fractional). */
    lagFullSteps: (): number => ((this.thC - this.th) * FULL_STEPS) / TWO_PI,
    rotorRevs: (): number => this.th / TWO_PI,
    commandedRevs: (): number => this.thC / TWO_PI,
    rotorRevPerS: (): number => this.om / TWO_PI,
    stageMm: (): number => this.stage * 1000,
    stageLostSteps: (): number => this.stageLost,
    /** Load torque a `stall` fault would have to exceed: pull-out torque at the present speed and supply, mN·m. */
    pullOutTorqueMNm: (revPerS?: number): number => {
      const p = this.params;
      const wc = p.stepperCornerRevPerS * TWO_PI * (this.vBus / 7.4);
      const w = revPerS !== undefined ? revPerS * TWO_PI : abs(this.om);
      return p.stepperHoldTorqueMNm / (1 + w / wc);
    },
  };
}

const NO_EDGES: InputEdge[] = [];

export interface CreatePenHardwareOptions extends PenHardwareOptions {}

/** Factory: the simulated pen hardware for the virtual board. */
export function createPenHardware(opts: PenHardwareOptions): PenHardware {
  return new PenHardware(opts);
}
