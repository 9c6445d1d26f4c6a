// …/<serial>/counters (retained, QoS 1): the pen's cartridge and lifetime counters.
import { z } from 'zod';
import { Counters } from '../schemas';
import { PayloadVersion, Serial, Timestamp } from './common';

export const CountersPayload = z.strictObject({
  v: PayloadVersion,
  ts: Timestamp,
  serial: Serial,
  ...Counters.shape,
});
export type CountersPayload = z.infer<typeof CountersPayload>;
