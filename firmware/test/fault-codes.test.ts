// The firmware's numeric codes and the protocol's names must describe the same faults and states.
import { FAULT, FAULT_NAMES, STATE, STATE_NAMES, WARN } from '../src/safety/fault-codes';
import { WARN_NAMES } from '@stipple/protocol/limits';

it('every fault and state code has the protocol name of the same index', () => {
  for (const [name, code] of Object.entries(FAULT)) expect(FAULT_NAMES[code]).toBe(name);
  for (const [name, code] of Object.entries(STATE)) expect(STATE_NAMES[code]).toBe(name);
  expect(WARN_NAMES.map((_, i) => 1 << i)).toEqual([WARN.DEPTH_NOT_REACHED, WARN.LOW_BATTERY, WARN.IN_AIR]);
});
