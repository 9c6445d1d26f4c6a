// Status LED patterns, as the practitioner sees them. A pattern is 16 ticks of 125 ms
// (2 s); each tick is an RGB colour (bit 0 red, bit 1 green, bit 2 blue).
import { FAULT, STATE, WARN } from '../safety/fault-codes';

// const enums: esbuild inlines them, so these tables cost no RAM on the pen
export const enum LED { OFF = 0, RED = 1, GREEN = 2, YELLOW = 3, BLUE = 4, MAGENTA = 5, CYAN = 6, WHITE = 7 }

/** Fault classes, shown as that many red blinks every 2 s. */
export function faultClass(fault: number): number {
  if (fault === FAULT.SENSOR_RANGE || fault === FAULT.SENSOR_STUCK) return 1;
  if (fault === FAULT.OVER_CURRENT) return 2;
  if (fault === FAULT.OVER_TEMP) return 3;
  if (fault === FAULT.UNDER_VOLTAGE || fault === FAULT.BROWN_OUT) return 4;
  if (fault === FAULT.TRACKING || fault === FAULT.JAM || fault === FAULT.STALL || fault === FAULT.DEPTH_LIMIT) return 5;
  if (fault === FAULT.CARTRIDGE_REMOVED) return 6;
  return 7; // watchdog, storage, uncalibrated, link, run time
}

/** Names of the patterns, for tests and the host (`led` field of telemetry/info). */
export const enum LED_PATTERN {
  BOOT = 'boot', IDLE = 'idle', READY = 'ready', RUNNING = 'running', NOT_REACHED = 'depth-not-reached',
  LOW_BATTERY = 'low-battery', SERVICE = 'service', FAULT = 'fault',
}

export function ledPatternName(state: number, warn: number): string {
  if (state === STATE.FAULT) return LED_PATTERN.FAULT;
  if (state === STATE.SERVICE) return LED_PATTERN.SERVICE;
  if (state === STATE.BOOT) return LED_PATTERN.BOOT;
  if (state === STATE.RUNNING && warn & WARN.DEPTH_NOT_REACHED) return LED_PATTERN.NOT_REACHED;
  if (warn & WARN.LOW_BATTERY) return LED_PATTERN.LOW_BATTERY;
  if (state === STATE.RUNNING) return LED_PATTERN.RUNNING;
  if (state === STATE.READY) return LED_PATTERN.READY;
  return LED_PATTERN.IDLE;
}

/** Colour at tick 0..15 of the 2 s pattern. */
export function ledColour(state: number, fault: number, warn: number, tick: number): number {
  const name = ledPatternName(state, warn);
  if (name === LED_PATTERN.FAULT) {
    const blinks = faultClass(fault);
    return tick < blinks * 2 && tick % 2 === 0 ? LED.RED : LED.OFF;
  }
  if (name === LED_PATTERN.SERVICE) return LED.MAGENTA;
  if (name === LED_PATTERN.BOOT) return LED.WHITE;
  if (name === LED_PATTERN.NOT_REACHED) return tick % 4 < 2 ? LED.YELLOW : LED.OFF;
  if (name === LED_PATTERN.LOW_BATTERY) return tick % 8 < 4 ? LED.RED : state === STATE.RUNNING ? LED.GREEN : LED.OFF;
  if (name === LED_PATTERN.RUNNING) return tick % 8 < 4 ? LED.GREEN : LED.CYAN;
  if (name === LED_PATTERN.READY) return LED.GREEN;
  return LED.BLUE;
}
