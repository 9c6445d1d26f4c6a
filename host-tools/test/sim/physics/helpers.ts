// Shared helpers for the physics tests.
import { PIN_MAPS } from '@stipple/firmware/boards/pin-maps';
import { createPenHardware, type PenHardware, type PenHardwareOptions } from '../../../src/sim/physics/pen-hardware';
import type { InputEdge } from '../../../src/sim/board/hardware-model';

export const pins = PIN_MAPS.PICO;

export function pen(o: Partial<PenHardwareOptions> = {}): PenHardware {
  return createPenHardware({ seed: 1, variant: 'voiceCoil', spread: false, pins, skin: { type: 'air', randomWalk: false }, ...o });
}

/** Hold: DRIVE_PHASE digital high, DRIVE_PWM at duty D (20 kHz). */
export function hold(hw: PenHardware, duty: number): void {
  hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'digital', value: true });
  hw.setPinDrive(pins.DRIVE_PWM, { kind: 'pwm', duty, freq: 20000 });
}

export function strokes(hw: PenHardware, rate: number, push: number, duty: number): void {
  hw.setPinDrive(pins.DRIVE_PWM, { kind: 'pwm', duty, freq: 20000 });
  hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'pwm', duty: push, freq: rate });
}

export function off(hw: PenHardware): void {
  hw.setPinDrive(pins.DRIVE_PWM, { kind: 'digital', value: false });
  hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'digital', value: false });
}

/** Advance in steps of `h` up to `t`, collecting edges. */
export function run(hw: PenHardware, t: number, h = 1e-3, edges: InputEdge[] = []): InputEdge[] {
  let now = hw.time();
  while (now < t - 1e-12) {
    now = Math.min(t, now + h);
    edges.push(...hw.advance(now));
  }
  return edges;
}

export function mean(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

export function std(a: number[]): number {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) * (v - m), 0) / a.length);
}

/** Nominal Hall transfer of docs/hardware.md: 0.1..0.9 FS over −1.5..+3.0 mm. */
export function hallNominal(xMm: number): number {
  return 0.1 + (0.8 * (xMm + 1.5)) / 4.5;
}
