// What the rest of the firmware implements for the protocol dispatcher: one `request`
// method for the pen's requests, and the few the dispatcher needs by name. Bodies arrive
// validated (firmware/src/proto/validate.ts), SERVICE and bench rules already checked. A
// request returns the reply body (ReplyBody<id> of the schemas), or a Promise of it for
// slow operations (hold, sweep, capture), or throws protoError(code, msg) (or returns a
// rejected Promise) for a typed error reply.
// Types come from the zod schemas (type-only import: nothing of zod is bundled).
import type { Info } from '@stipple/protocol/schemas';

export type Reply<T> = T | Promise<T>;

/** hello's reply without what the dispatcher fills in itself (protocol version, fingerprint). */
export type PenIdentity = Pick<Info, 'fw' | 'board' | 'drive' | 'serial' | 'cal' | 'service'>;

export interface PenApi {
  /** Identity for hello (`service` as isService()). */
  info(): PenIdentity;
  /** In SERVICE mode? (the dispatcher refuses SERVICE-only requests otherwise). */
  isService(): boolean;
  /** The per-device technician secret (HMAC key, a byte string), from flash. */
  serviceSecret(): string;
  /** Enter (after a verified MAC) or leave SERVICE mode. Leaving stops any run or hold. */
  setService(on: boolean): void;
  /** A heartbeat arrived (no reply is sent). */
  heartbeat(): void;
  /**
   * Every other request by id, its body validated (SERVICE and bench rules checked): the
   * reply body (`ReplyBody<id>`), a Promise of it for slow operations (hold, sweep, capture),
   * or a thrown protoError. One method for all of them: each method is a function object in
   * the pen's RAM. Notes per request:
   *   setConfig   OUT_OF_RANGE when the depth exceeds the hard limit or the preset's range
   *   setLimit    SERVICE only
   *   runStart    SERVICE or bench build; starts the heartbeat watchdog (HEARTBEAT_TIMEOUT_MS)
   *   runStop     always allowed, also while busy
   *   tlmSub      {every, perStroke}: call Dispatcher.telemetry() once per `every` strokes while running
   *   reboot      called after the reply was written: drive off, then reset (let the console drain)
   */
  request(id: string, body: any): any;
}

/** A typed protocol error (thrown by a PenApi method). */
export interface ProtoError {
  code: string;
  msg: string;
}

export function protoError(code: string, msg: string): ProtoError {
  return { code: code, msg: msg };
}
