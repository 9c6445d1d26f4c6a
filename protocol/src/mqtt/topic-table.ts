// Every topic of scheme v1 with its QoS, retain flag, payload schema and what happens to
// it while the broker is away: the bridge publishes from this table, the docs print it.
import type { z } from 'zod';
import { BridgeStatusPayload } from './bridge-status';
import { CalibrationSummaryPayload } from './calibration-summary';
import { CommandReply, CommandRequest } from './command';
import { CountersPayload } from './counters';
import { FaultPayload } from './fault';
import { PenInfoPayload } from './pen-info';
import { PenStatusPayload } from './pen-status';
import { StrokeRecordPayload } from './stroke-record';
import { TelemetrySummaryPayload } from './telemetry-summary';

/** While the broker is away: queued on disk (in order), republished on reconnect, or dropped and counted. */
export type Offline = 'queued' | 'republished' | 'dropped' | 'not sent';

export interface TopicSpec {
  /** The topic under <prefix>/v1 (placeholders in <>). */
  pattern: string;
  direction: 'out' | 'in';
  qos: 0 | 1;
  retain: boolean;
  offline: Offline;
  schema: z.ZodType;
  doc: string;
}

export const PEN_LEAVES = {
  status: 'status',
  info: 'info',
  telemetry: 'telemetry',
  strokes: 'telemetry/strokes',
  faults: 'faults',
  counters: 'counters',
  calibration: 'calibration',
} as const;
export type PenLeaf = keyof typeof PEN_LEAVES;

export const TOPIC_TABLE: Record<PenLeaf | 'bridgeStatus' | 'command' | 'reply', TopicSpec> = {
  status: { pattern: '<serial>/status', direction: 'out', qos: 1, retain: true, offline: 'queued', schema: PenStatusPayload, doc: 'birth, online, offline' },
  info: { pattern: '<serial>/info', direction: 'out', qos: 1, retain: true, offline: 'republished', schema: PenInfoPayload, doc: 'firmware, board, drive, schema, calibration status and date' },
  telemetry: { pattern: '<serial>/telemetry', direction: 'out', qos: 0, retain: false, offline: 'dropped', schema: TelemetrySummaryPayload, doc: 'one summary per second of the pen\'s clock' },
  strokes: { pattern: '<serial>/telemetry/strokes', direction: 'out', qos: 0, retain: false, offline: 'dropped', schema: StrokeRecordPayload, doc: 'each pen telemetry record with per-stroke depths (opt-in: --raw-strokes)' },
  faults: { pattern: '<serial>/faults', direction: 'out', qos: 1, retain: false, offline: 'queued', schema: FaultPayload, doc: 'each latched fault' },
  counters: { pattern: '<serial>/counters', direction: 'out', qos: 1, retain: true, offline: 'republished', schema: CountersPayload, doc: 'cartridge and lifetime counters, when they change (checked every 10 s and when a run ends)' },
  calibration: { pattern: '<serial>/calibration', direction: 'out', qos: 1, retain: true, offline: 'republished', schema: CalibrationSummaryPayload, doc: 'summary of the calibration record in force' },
  bridgeStatus: { pattern: '_bridge/<bridge id>/status', direction: 'out', qos: 1, retain: true, offline: 'queued', schema: BridgeStatusPayload, doc: 'the bridge: online, offline (also its last will), queue and drop counts' },
  command: { pattern: '<serial>/cmd/<name>', direction: 'in', qos: 1, retain: false, offline: 'not sent', schema: CommandRequest, doc: 'a command to the bridge about this pen (empty payload = {})' },
  reply: { pattern: 'response topic, replyTo, or <serial>/cmd/<name>/reply', direction: 'out', qos: 1, retain: false, offline: 'not sent', schema: CommandReply, doc: 'the reply to a command' },
};
