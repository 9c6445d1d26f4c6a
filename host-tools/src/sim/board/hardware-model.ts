// The seam between the virtual Espruino board (which runs the firmware bundle) and
// the simulated hardware around it (drive, needle, skin, sensors, handset).
// The board is the time master: it advances the model to each instant at which the
// firmware could observe or change something, then reads inputs or writes outputs.

/** What the MCU drives onto a pin. `pwm` is a hardware PWM (analogWrite). */
export type PinDrive =
  | { kind: 'digital'; value: boolean }
  | { kind: 'pwm'; duty: number; freq: number }
  | { kind: 'input' };

/** A digital input edge produced by the hardware (button, index sensor, home switch). */
export interface InputEdge {
  pin: string;
  /** virtual time of the edge, s */
  time: number;
  value: boolean;
}

export interface HardwareModel {
  /** Integrate the hardware up to virtual time `t` (s). Edges on digital inputs that happen in (now, t] are returned in time order. */
  advance(t: number): InputEdge[];
  /** The pin's drive changed at the model's current time. */
  setPinDrive(pin: string, drive: PinDrive): void;
  /** A pulse train from `digitalPulse`: the pin goes `value` for times[0] ms, !value for times[1] ms, … starting at `start` (s). */
  pulseTrain(pin: string, value: boolean, start: number, timesMs: number[]): void;
  /** ADC reading at the model's current time, 0..1 as `analogRead` returns. */
  analogIn(pin: string): number;
  /** Digital level at the model's current time. */
  digitalIn(pin: string): boolean;
  /** The MCU reset (watchdog, reboot, power cycle): outputs float, the drive goes off. */
  mcuReset(): void;
}
