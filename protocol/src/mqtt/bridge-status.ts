// …/_bridge/<id>/status (retained, QoS 1, and the bridge connection's last will): the
// bridge itself, its on-disk queue and what it had to drop.
import { z } from 'zod';
import { BridgeId, Count, PayloadVersion, Serial, Timestamp } from './common';

export const QueueReport = z.strictObject({
  limit: Count.describe('most fault/status messages the on-disk queue holds while the broker is away'),
  pending: Count.describe('messages in the queue not yet acknowledged by the broker'),
  overflowed: Count.describe('messages refused because the queue was full (since the bridge started)'),
});

export const BridgeStatusPayload = z.strictObject({
  v: PayloadVersion,
  ts: Timestamp.describe('when the bridge made this message (for the last will: when it connected)'),
  bridge: BridgeId,
  status: z.enum(['online', 'offline']),
  reason: z.string().max(200).nullable().describe('offline: "stopped", or "connection lost (last will)"; null when online'),
  version: z.string().max(32).describe('stipple host tools version'),
  mqtt: z.enum(['3.1.1', '5']).describe('MQTT version of the bridge\'s connection'),
  pens: z.array(Serial).max(10000).describe('serials of the pens online through this bridge'),
  ports: Count.describe('ports the bridge serves (online or not)'),
  queue: QueueReport,
  telemetryDropped: Count.describe('telemetry messages dropped while the broker was away (since the bridge started)'),
  reconnects: Count.describe('connections to the broker after the first'),
});
export type BridgeStatusPayload = z.infer<typeof BridgeStatusPayload>;
export type QueueReport = z.infer<typeof QueueReport>;
