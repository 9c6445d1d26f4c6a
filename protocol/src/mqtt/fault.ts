// …/<serial>/faults (QoS 1, not retained, never dropped up to the queue limit): each
// fault the pen latched. `n` numbers them per pen from 1 in each bridge run, so a
// consumer sees gaps and order; QoS 1 may deliver one twice (same n).
import { z } from 'zod';
import { FaultCode, FaultEntry } from '../schemas';
import { Count, PayloadVersion, Serial, Timestamp } from './common';

export const FaultPayload = z.strictObject({
  v: PayloadVersion,
  ts: Timestamp,
  serial: Serial,
  n: z.int().min(1).max(Number.MAX_SAFE_INTEGER).describe('per-pen number of this fault message in this bridge run, from 1'),
  code: FaultCode,
  name: z.string().min(1).max(32).describe('the fault\'s name (FAULT_NAMES)'),
  ctx: z.string().max(200).describe('what tripped it, as the pen reported it'),
  source: z.enum(['event', 'log']).describe('event: the pen reported it as it latched; log: it was already latched when the bridge met the pen (from its fault log)'),
  penMs: Count.nullable().describe('event: pen time of the fault, ms since its boot; log: null'),
  logged: FaultEntry.nullable().describe('log: the pen\'s fault-log entry; event: null'),
});
export type FaultPayload = z.infer<typeof FaultPayload>;
