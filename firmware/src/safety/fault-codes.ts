// Fault codes and pen states. Small integers: cheap to store, log and send.
// Their names are defined once, in the protocol's zod-free limits.
export { STATE_NAMES, FAULT_NAMES } from '@stipple/protocol/limits';

// const enums: esbuild inlines the numbers, so these tables cost no RAM on the pen
export const enum STATE { BOOT = 0, IDLE = 1, READY = 2, RUNNING = 3, FAULT = 4, SERVICE = 5 }

export const enum FAULT {
  NONE = 0,
  SENSOR_RANGE = 1,
  SENSOR_STUCK = 2,
  OVER_CURRENT = 3,
  OVER_TEMP = 4,
  UNDER_VOLTAGE = 5,
  BROWN_OUT = 6,
  TRACKING = 7,
  JAM = 8,
  STALL = 9,
  DEPTH_LIMIT = 10,
  CARTRIDGE_REMOVED = 11,
  WATCHDOG = 12,
  STORAGE_CORRUPT = 13,
  UNCALIBRATED = 14,
  LINK_LOST = 15,
  MAX_RUN_TIME = 16,
}

/** Faults whose cause is a missing or bad record: clearing them needs a new calibration, not a button. */
export function faultNeedsTechnician(code: number): boolean {
  return code === FAULT.UNCALIBRATED || code === FAULT.STORAGE_CORRUPT;
}

/** Warning bits (not latched): reported in telemetry and on the LED. */
export const enum WARN { DEPTH_NOT_REACHED = 1, LOW_BATTERY = 2, IN_AIR = 4 }
