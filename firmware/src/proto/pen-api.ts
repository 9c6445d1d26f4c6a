// What the rest of the firmware implements for the protocol dispatcher: one method per
// request. Bodies arrive validated (firmware/src/proto/validate.ts), SERVICE and bench
// rules already checked. A method returns the reply body (or a Promise of it for slow
// operations: hold, sweep, capture, flash writes), or throws protoError(code, msg)
// (or returns a rejected Promise) for a typed error reply.
// Types come from the zod schemas (type-only import: nothing of zod is bundled).
import type { RequestBody, ReplyBody, Info } from '@stipple/protocol/schemas';

export type Reply<T> = T | Promise<T>;

/** hello's reply without what the dispatcher fills in itself (protocol version, fingerprint). */
export type PenIdentity = Pick<Info, 'fw' | 'board' | 'drive' | 'serial' | 'cal' | 'service'>;

export interface PenApi {
  /** Identity for hello (`service` as isService()). */
  info(): PenIdentity;
  /** In SERVICE mode? (the dispatcher refuses SERVICE-only requests otherwise). */
  isService(): boolean;
  status(): ReplyBody<'status'>;
  getConfig(): ReplyBody<'getConfig'>;
  /** Apply a partial change; OUT_OF_RANGE when the depth exceeds the hard limit or the preset's range. */
  setConfig(patch: RequestBody<'setConfig'>): Reply<ReplyBody<'setConfig'>>;
  getPresets(): ReplyBody<'getPresets'>;
  setPreset(req: RequestBody<'setPreset'>): Reply<ReplyBody<'setPreset'>>;
  deletePreset(req: RequestBody<'deletePreset'>): Reply<ReplyBody<'deletePreset'>>;
  getLimits(): ReplyBody<'getLimits'>;
  /** SERVICE only (checked by the dispatcher). */
  setLimit(req: RequestBody<'setLimit'>): Reply<ReplyBody<'setLimit'>>;
  getCounters(): ReplyBody<'getCounters'>;
  getFaults(): ReplyBody<'getFaults'>;
  clearFaults(): Reply<ReplyBody<'clearFaults'>>;
  /** The per-device technician secret (HMAC key, a byte string), from flash. */
  serviceSecret(): string;
  /** Enter (after a verified MAC) or leave SERVICE mode. Leaving stops any run or hold. */
  setService(on: boolean): void;
  /** SERVICE or bench build (checked by the dispatcher). Starts the heartbeat watchdog (HEARTBEAT_TIMEOUT_MS). */
  runStart(req: RequestBody<'runStart'>): Reply<ReplyBody<'runStart'>>;
  /** Always allowed, also while busy. */
  runStop(): ReplyBody<'runStop'>;
  /** A heartbeat arrived (no reply is sent). */
  heartbeat(): void;
  hold(req: RequestBody<'hold'>): Reply<ReplyBody<'hold'>>;
  sweep(req: RequestBody<'sweep'>): Reply<ReplyBody<'sweep'>>;
  capture(req: RequestBody<'capture'>): Reply<ReplyBody<'capture'>>;
  sensors(): ReplyBody<'sensors'>;
  calRead(): ReplyBody<'calRead'>;
  calWrite(req: RequestBody<'calWrite'>): Reply<ReplyBody<'calWrite'>>;
  calRestore(): Reply<ReplyBody<'calRestore'>>;
  /** Start producing telemetry: call Dispatcher.telemetry() once per `every` strokes while running. */
  tlmSub(every: number, perStroke: boolean): void;
  tlmUnsub(): void;
  /** Called after the reply was written: drive off, then reset (let the console drain first, e.g. setTimeout 50 ms). */
  reboot(): void;
}

/** A typed protocol error (thrown by a PenApi method). */
export interface ProtoError {
  code: string;
  msg: string;
}

export function protoError(code: string, msg: string): ProtoError {
  return { code: code, msg: msg };
}
