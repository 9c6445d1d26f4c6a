// Everything the pen's logic needs from the board, as a plain interface.
// firmware/src/hal/ implements it with Espruino's globals (device and bench builds);
// unit tests implement it with fakes. Nothing above this line touches a pin.

export type DriveVariant = 'voiceCoil' | 'stepper' | 'bench';
/** Sense channels for PenIo.raw (service `sensors` request). */
export const RAW_HALL = 0;
export const RAW_CURRENT = 1;
export const RAW_NTC = 2;
export const RAW_VSUPPLY = 3;

/** Depth stage states (PenIo.stageState). */
export const STAGE_STILL = 0;
export const STAGE_MOVING = 1;
export const STAGE_HOMING = 2;
/** its position is unknown: not homed since boot, or a homing run found no switch */
export const STAGE_LOST = 3;

export type ButtonName = 'run' | 'speedUp' | 'speedDown' | 'depthUp' | 'depthDown' | 'pedal';

export interface PenIo {
  driveKind: DriveVariant;
  board: string;
  /** seconds, monotonic */
  now(): number;

  /** Voice coil / bench: start (or retune) the hardware stroke clock and the drive duty. */
  strokeStart(rate: number, push: number, duty: number): void;
  /** Voice coil / bench: new drive duty, effective from the next PWM period. */
  strokeDuty(duty: number): void;
  /** Voice coil: steady drive (calibration hold); stepper: ignored. */
  hold(duty: number): void;
  /**
   * Stepper: run the cam at a STEP frequency (Hz), ramped from the present one within the
   * motor's pull-in/pull-out limits (control/cam-speed.ts camRampHz); 0 ramps down and
   * stops wherever that ends. Returns the ms until the ramp arrives.
   */
  camRun(stepFreq: number): number;
  /**
   * Stepper: brake the cam onto the first field step ≡ `at` (mod `every`) it can still reach
   * braking within its limits (control/cam-speed.ts camBrakeHz; from standstill it steps
   * there at its start rate), stop on it, hold it a moment and disable the driver; then
   * `done`. `every` 0: brake to a stop wherever that ends.
   */
  camPark(at: number, every: number, done: () => void): void;
  /** Stepper: steps the cam's field has made since boot (its STEP pulses): with the rotor in step, its angle. */
  camSteps(): number;
  /** Stepper: camSteps() at the moment the rotor last passed its index (NaN: not since boot). */
  camIndexSteps(): number;
  /** Stepper: move the depth stage by signed steps (hardware-timed pulses; while it homes, from home once home). Returns the ms until every queued step is made. */
  stageMove(steps: number): number;
  /**
   * Stepper: run the depth stage back until its home switch closes: position 0 (a homing
   * under way goes on). Until it is home its position is unknown.
   */
  stageHome(): void;
  /** Stepper: where the stage will stand once its queued steps are made, steps from home; NaN while its position is unknown. */
  stagePos(): number;
  /** Stepper: STAGE_STILL, STAGE_MOVING, STAGE_HOMING or STAGE_LOST. */
  stageState(): number;
  /** Stepper: average revolution period since the last call (s), 0 when no index edge came. */
  indexPeriod(): number;
  /** Stepper: seconds since the last index edge. */
  indexAge(): number;
  /** Drive off at once (voice coil: brake, the springs retract the needle; stepper: cam disabled where it is, no ramp). */
  driveOff(): void;

  /** Start block sampling of the Hall sensor: `onBlock` gets each filled block of SAMPLES_PER_BLOCK samples. */
  sample(rate: number, strokesPerBlock: number, onBlock: (buf: Uint16Array) => void): void;
  sampleStop(): void;
  /** When the block sampling running now started: sample j of block b (both from 0) was taken at sampleT0() + (b·SAMPLES_PER_BLOCK + j + 1)/fs. */
  sampleT0(): number;

  /** One-shot capture of n samples at fs Hz (hardware-timed) of the Hall sensor, or of the coil current sense when `current`; `done` gets them. */
  capture(fs: number, n: number, done: (buf: Uint16Array) => void, current?: boolean): void;

  /** Hall sensor, 0..1 of full scale. */
  hallRaw(): number;
  /** Raw ADC reading of a sense channel (RAW_HALL..RAW_VSUPPLY), 0..1 of full scale. */
  raw(channel: number): number;
  /** Stepper: the depth stage's home switch is closed. */
  homeSwitch(): boolean;
  coilAmps(): number;
  coilTempC(): number;
  supplyV(): number;
  cartridgePresent(): boolean;

  /** RGB bits: 1 red, 2 green, 4 blue. */
  led(rgb: number): void;
  every(ms: number, fn: () => void): number;
  after(ms: number, fn: () => void): number;
  cancel(id: number): void;
  kickWatchdog(): void;
  /** Σ a[i]·b[(i + offset) mod b.length] over a, natively (E.convolve): the block analysis's comb sums. */
  convolve(a: Uint8Array | Uint16Array, b: Uint16Array, offset: number): number;
  /** Write bytes to the console (host link). */
  send(data: string): void;
}
