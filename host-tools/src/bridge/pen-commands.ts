// The commands the bridge carries out for a pen, and nothing else: this table IS the
// allow-list. A name that is not a key here is refused before anything reaches the pen,
// whatever it is (runStart, setConfig, calWrite, setLimit, clearFaults, svcEnter, reboot…):
// over MQTT a pen can be read and asked to republish its calibration summary, never moved,
// configured, calibrated, unlocked or started.
import { BRIDGE_COMMANDS } from '@stipple/protocol';
import type { BridgeCommand, CalibrationSummaryPayload, Counters, FaultLog, Info, Status } from '@stipple/protocol';
import type { PenClient } from '../link/pen-client';

/** What a command may use: read-only requests to the pen, and republishing the calibration summary. */
export interface CommandTarget {
  /** The pen's hello reply from its birth. */
  readonly info: Info;
  /** Run a read-only request on the pen's link. */
  read<T>(fn: (c: Pick<PenClient, 'status' | 'getCounters' | 'getFaults' | 'calRead'>) => Promise<T>): Promise<T>;
  /** Read the calibration record, publish …/calibration, return what was published. */
  publishCalibration(): Promise<CalibrationSummaryPayload>;
}

interface Results {
  info: { info: Info; status: Status };
  counters: Counters;
  faultLog: FaultLog;
  publishCalibration: CalibrationSummaryPayload;
}

const HANDLERS: { readonly [K in BridgeCommand]: (t: CommandTarget) => Promise<Results[K]> } = {
  info: async (t) => ({ info: t.info, status: await t.read((c) => c.status()) }),
  counters: (t) => t.read((c) => c.getCounters()),
  faultLog: (t) => t.read((c) => c.getFaults()),
  publishCalibration: (t) => t.publishCalibration(),
};

export function isBridgeCommand(name: string): name is BridgeCommand {
  return Object.prototype.hasOwnProperty.call(HANDLERS, name);
}

export function runCommand<K extends BridgeCommand>(name: K, t: CommandTarget): Promise<Results[K]> {
  return HANDLERS[name](t);
}

export const REFUSAL = `the bridge answers only ${BRIDGE_COMMANDS.join(', ')}; starting, stopping, configuring, calibrating, changing limits, clearing faults and service mode are never possible over MQTT`;
