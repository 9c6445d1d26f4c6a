// …/<serial>/info (retained, QoS 1): the pen's hello reply (firmware, board, drive,
// schema, calibration status and date) and where the bridge reaches it.
import { z } from 'zod';
import { Info } from '../schemas';
import { BridgeId, PayloadVersion, Timestamp } from './common';

export const PenInfoPayload = z.strictObject({
  v: PayloadVersion,
  ts: Timestamp,
  ...Info.shape,
  bridge: BridgeId,
  port: z.string().min(1).max(256),
});
export type PenInfoPayload = z.infer<typeof PenInfoPayload>;
