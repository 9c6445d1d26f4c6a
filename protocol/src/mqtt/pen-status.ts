// …/<serial>/status (retained, QoS 1): whether the pen is reachable through a bridge.
// birth: the bridge has just greeted the pen and is publishing its retained topics;
// online: they are published and telemetry flows; offline: its port dropped or the
// bridge stopped. If the bridge itself dies, its last will marks the bridge offline
// (…/_bridge/<id>/status): a pen is online only while its bridge is online too.
import { z } from 'zod';
import { BridgeId, Count, PayloadVersion, Serial, Timestamp } from './common';

export const PEN_LINK_STATES = ['birth', 'online', 'offline'] as const;

export const PenStatusPayload = z.strictObject({
  v: PayloadVersion,
  ts: Timestamp,
  serial: Serial,
  status: z.enum(PEN_LINK_STATES).describe('birth, online or offline'),
  bridge: BridgeId,
  port: z.string().min(1).max(256).describe('where the bridge reaches the pen: a serial port path, or sim:SEED for a virtual pen'),
  session: Count.describe('births of this pen since the bridge started (1 for the first); offline carries the session it ends'),
  reason: z.string().max(200).nullable().describe('why it went offline (null otherwise)'),
});
export type PenStatusPayload = z.infer<typeof PenStatusPayload>;
