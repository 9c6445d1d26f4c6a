// Building blocks shared by the MQTT payload schemas: the payload version, time stamps,
// pen serials and names as they appear in every message.
import { z } from 'zod';
import { PRINTABLE_RE } from '../limits';

/** Version of the MQTT payloads; the topic scheme carries it as `v1`. */
export const MQTT_PAYLOAD_VERSION = 1;

export const PayloadVersion = z.literal(MQTT_PAYLOAD_VERSION).describe('payload version (the topic scheme\'s v1)');
export const Timestamp = z.number().min(0).describe('when the bridge made this message: ms since 1970 (UTC, may have a fraction)');
export const Serial = z.string().min(1).max(24).regex(PRINTABLE_RE).describe('the pen\'s serial number (as in its hello reply)');
export const BridgeId = z.string().min(1).max(64).regex(PRINTABLE_RE).describe('the bridge that publishes this pen');
export const Count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
