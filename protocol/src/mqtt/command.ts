// …/<serial>/cmd/<name> (in, QoS 1) and its reply. The bridge answers only the commands
// named here, all read-only or a republish; any other name is refused with NOT_ALLOWED
// (nothing reaches the pen). A reply goes to the MQTT 5 response topic with the request's
// correlation data; on MQTT 3.1.1, to `replyTo` in the request body (with `correlation`),
// else to …/cmd/<name>/reply.
import { z } from 'zod';
import { Counters, FaultLog, Info, Status } from '../schemas';
import { CalibrationSummaryPayload } from './calibration-summary';
import { PayloadVersion, Serial, Timestamp } from './common';

/** The only commands the bridge carries out. */
export const BRIDGE_COMMANDS = ['info', 'counters', 'faultLog', 'publishCalibration'] as const;
export type BridgeCommand = (typeof BRIDGE_COMMANDS)[number];

export const COMMAND_ERROR_CODES = ['NOT_ALLOWED', 'BAD_REQUEST', 'PEN_OFFLINE', 'PEN_ERROR', 'BUSY'] as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

/** Longest reply topic / correlation accepted in a request body. */
export const REPLY_TOPIC_MAX = 256;
export const CORRELATION_MAX = 128;

export const CommandRequest = z.strictObject({
  replyTo: z.string().min(1).max(REPLY_TOPIC_MAX).optional().describe('MQTT 3.1.1: where to publish the reply (MQTT 5: use the response topic property)'),
  correlation: z.string().max(CORRELATION_MAX).optional().describe('MQTT 3.1.1: echoed in the reply (MQTT 5: use correlation data)'),
  args: z.strictObject({}).optional().describe('no command takes arguments'),
});
export type CommandRequest = z.infer<typeof CommandRequest>;

const replyBase = {
  v: PayloadVersion,
  ts: Timestamp,
  serial: Serial,
  correlation: z.string().max(CORRELATION_MAX).nullable().describe('the request\'s correlation (body or MQTT 5 correlation data as UTF-8), null if none'),
};

export const InfoReply = z.strictObject({ ...replyBase, command: z.literal('info'), ok: z.literal(true), result: z.strictObject({ info: Info, status: Status }) });
export const CountersReply = z.strictObject({ ...replyBase, command: z.literal('counters'), ok: z.literal(true), result: Counters });
export const FaultLogReply = z.strictObject({ ...replyBase, command: z.literal('faultLog'), ok: z.literal(true), result: FaultLog });
export const PublishCalibrationReply = z.strictObject({
  ...replyBase, command: z.literal('publishCalibration'), ok: z.literal(true),
  result: CalibrationSummaryPayload.describe('the summary just published on …/calibration'),
});
export const CommandError = z.strictObject({
  ...replyBase,
  command: z.string().max(200).describe('the command name from the topic'),
  ok: z.literal(false),
  error: z.strictObject({ code: z.enum(COMMAND_ERROR_CODES), msg: z.string().max(300) }),
});

export const CommandReply = z.union([InfoReply, CountersReply, FaultLogReply, PublishCalibrationReply, CommandError]);
export type CommandReply = z.infer<typeof CommandReply>;
export type CommandError = z.infer<typeof CommandError>;
