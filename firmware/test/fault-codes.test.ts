// The firmware's numeric codes and the protocol's names must describe the same faults and states.
import { FAULT, FAULT_NAMES, STATE, STATE_NAMES, WARN } from '../src/safety/fault-codes';
import { WARN_NAMES } from '@stipple/protocol/limits';

it('every fault and state code has the protocol name of the same index', () => {
  // (in Node the const enums are plain enums, with reverse entries: keep the names)
  const named = (e: object) => Object.entries(e).filter(([k]) => !/^\d+$/.test(k)) as [string, number][];
  expect(named(FAULT).length).toBe(FAULT_NAMES.length);
  for (const [name, code] of named(FAULT)) expect(FAULT_NAMES[code]).toBe(name);
  for (const [name, code] of named(STATE)) expect(STATE_NAMES[code]).toBe(name);
  expect(WARN_NAMES.map((_, i) => 1 << i)).toEqual([WARN.DEPTH_NOT_REACHED, WARN.LOW_BATTERY, WARN.IN_AIR]);
});
