// What each latched fault means and what to do about it, in the words a technician or a
// trainer needs (docs/safety.md has the hazards behind them). Every fault has already
// made the pen safe: drive off, needle retracted.
import { FAULT_NAMES } from '@stipple/protocol';

export interface FaultAdvice {
  /** What the pen detected. */
  what: string;
  /** What to do before clearing it. */
  todo: string;
  /** Only a new calibration clears it (no button does). */
  needsCalibration: boolean;
}

const ADVICE: Record<string, [string, string]> = {
  SENSOR_RANGE: ['the needle position sensor read outside its range (disconnected or shorted), or too noisy to trust ("hall noisy")', 'check the Hall sensor cable and connector; if it persists the pen needs service'],
  SENSOR_STUCK: ['the needle position sensor froze while the drive was on', 'check the sensor cable; a stuck reading cannot measure depth, so the pen must not run'],
  OVER_CURRENT: ['the coil drew more than 1.6 A, or drew current without moving the needle from rest (shorted coil or drive fault)', 'stop using the pen and have the coil and driver checked'],
  OVER_TEMP: ['the coil passed 90 °C (burn risk at the grip)', 'let the pen cool down; check that nothing blocks its cooling; run shorter sessions'],
  UNDER_VOLTAGE: ['the supply fell below 6.0 V while running', 'charge or replace the battery'],
  BROWN_OUT: ['the pen reset while it was running (supply dip)', 'charge the battery and check the supply connection'],
  TRACKING: ['the needle did not follow the command (depth error too large, or the coil is open)', 'check the cartridge is seated and the needle moves freely; if it persists, recalibrate or have the coil checked'],
  JAM: ['the needle stopped moving while driven (jammed)', 'take the cartridge out, check the needle moves freely, seat a new cartridge'],
  STALL: ['the stepper motor stalled (no cam index)', 'check nothing blocks the cam and the cartridge; if it persists the pen needs service'],
  DEPTH_LIMIT: ['a stroke went past the hard depth limit', 'check the cartridge and the skin fixture; recalibrate if it happens again'],
  CARTRIDGE_REMOVED: ['the cartridge came out while the pen was running', 'seat the cartridge firmly'],
  WATCHDOG: ['the firmware stopped responding and the pen reset', 'note what the pen was doing and report it; clear it to carry on'],
  STORAGE_CORRUPT: ['a record in the pen\'s flash is corrupt', 'calibrate the pen (the guided calibration below) to write a new record'],
  UNCALIBRATED: ['the pen has no valid calibration, so it must not run', 'calibrate the pen: the guided calibration below'],
  LINK_LOST: ['the host stopped sending heartbeats during a host-driven run', 'check the cable or the Bluetooth link (and keep this tab in front while it drives the pen)'],
  MAX_RUN_TIME: ['the pen ran longer than the longest continuous run allowed', 'clear it and carry on; change maxRunMin in the settings if the limit is too short'],
};

export function faultName(code: number): string {
  return FAULT_NAMES[code] ?? `FAULT_${code}`;
}

export function faultAdvice(code: number): FaultAdvice {
  const name = faultName(code);
  const a = ADVICE[name];
  return {
    what: a?.[0] ?? `fault code ${code}`,
    todo: a?.[1] ?? 'see docs/safety.md',
    needsCalibration: name === 'UNCALIBRATED' || name === 'STORAGE_CORRUPT',
  };
}
