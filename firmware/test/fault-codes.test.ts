// The firmware's numeric codes and the protocol's names must describe the same faults and states.
// (The codes are const enums, inlined by the build: listed here member by member.)
import { FAULT, FAULT_NAMES, STATE, STATE_NAMES, WARN } from '../src/safety/fault-codes';
import { WARN_NAMES } from '@stipple/protocol/limits';

it('every fault and state code has the protocol name of the same index', () => {
  const faults: [string, number][] = [
    ['NONE', FAULT.NONE], ['SENSOR_RANGE', FAULT.SENSOR_RANGE], ['SENSOR_STUCK', FAULT.SENSOR_STUCK],
    ['OVER_CURRENT', FAULT.OVER_CURRENT], ['OVER_TEMP', FAULT.OVER_TEMP], ['UNDER_VOLTAGE', FAULT.UNDER_VOLTAGE],
    ['BROWN_OUT', FAULT.BROWN_OUT], ['TRACKING', FAULT.TRACKING], ['JAM', FAULT.JAM], ['STALL', FAULT.STALL],
    ['DEPTH_LIMIT', FAULT.DEPTH_LIMIT], ['CARTRIDGE_REMOVED', FAULT.CARTRIDGE_REMOVED], ['WATCHDOG', FAULT.WATCHDOG],
    ['STORAGE_CORRUPT', FAULT.STORAGE_CORRUPT], ['UNCALIBRATED', FAULT.UNCALIBRATED], ['LINK_LOST', FAULT.LINK_LOST],
    ['MAX_RUN_TIME', FAULT.MAX_RUN_TIME],
  ];
  expect(faults.length).toBe(FAULT_NAMES.length);
  for (const [name, code] of faults) expect(FAULT_NAMES[code]).toBe(name);
  const states: [string, number][] = [
    ['BOOT', STATE.BOOT], ['IDLE', STATE.IDLE], ['READY', STATE.READY], ['RUNNING', STATE.RUNNING],
    ['FAULT', STATE.FAULT], ['SERVICE', STATE.SERVICE],
  ];
  expect(states.length).toBe(STATE_NAMES.length);
  for (const [name, code] of states) expect(STATE_NAMES[code]).toBe(name);
  expect(WARN_NAMES.map((_, i) => 1 << i)).toEqual([WARN.DEPTH_NOT_REACHED, WARN.LOW_BATTERY, WARN.IN_AIR]);
});
