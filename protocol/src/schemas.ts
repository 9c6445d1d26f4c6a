// Every message of the pen <-> host protocol, defined once as zod 4 schemas.
// Types are inferred from these; ranges come from limits.ts (shared with the firmware's
// hand-written validators in firmware/src/proto/validate.ts, which must agree with these:
// protocol/test + firmware/test/proto check that with golden vectors and property tests).
// Request bodies are strict objects (unknown keys rejected) so both sides agree exactly.
import { z } from 'zod';
import * as L from './limits';

// ---------- building blocks ----------
const int = (min: number, max: number) => z.int().min(min).max(max);
const num = (min: number, max: number) => z.number().min(min).max(max);
const grid = (min: number, max: number, step: number, what: string) =>
  z.number().min(min).max(max)
    .refine((x) => L.onGrid(x, step), { message: `${what} must be a multiple of ${step}` })
    .meta({ multipleOf: step });
const text = (min: number, max: number) => z.string().min(min).max(max).regex(L.PRINTABLE_RE);
const hex = (len: number) => z.string().length(len).regex(L.HEX_RE);
const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]]);
const empty = z.strictObject({});

export const Depth = grid(L.DEPTH_MIN_MM, L.DEPTH_MAX_MM, L.DEPTH_STEP_MM, 'depth').describe('needle protrusion at the bottom of the stroke, mm');
export const Rate = int(L.RATE_MIN, L.RATE_MAX).describe('strokes/s');
export const Dia = grid(L.DIA_MIN_MM, L.DIA_MAX_MM, L.DIA_STEP_MM, 'diameter').describe('needle diameter, mm');
export const Needle = oneOf(L.NEEDLES as ('1RL' | '3RL')[]).describe('needle configuration (cartridge type)');
export const PedalMode = oneOf(L.PEDAL_MODES as ('hold' | 'toggle')[]);
export const Drive = oneOf(L.DRIVES as ('voiceCoil' | 'stepper' | 'bench')[]);
export const CalStatus = oneOf(L.CAL_STATUS as ('ok' | 'missing' | 'corrupt')[]);
export const StateName = oneOf(L.STATE_NAMES as ('BOOT' | 'IDLE' | 'READY' | 'RUNNING' | 'FAULT' | 'SERVICE')[]);
export const WarnName = oneOf(L.WARN_NAMES as ('depthNotReached' | 'lowBattery' | 'inAir')[]);
export const ErrorCode = oneOf(L.ERROR_CODES as (
  'BAD_FRAME' | 'BAD_CRC' | 'BAD_VERSION' | 'UNKNOWN_MESSAGE' | 'BAD_FIELD' | 'OUT_OF_RANGE' |
  'DUPLICATE' | 'NOT_ALLOWED' | 'NEEDS_SERVICE' | 'AUTH_FAILED' | 'BUSY' | 'INTERNAL')[]);
export const FaultCode = int(1, L.FAULT_MAX).describe('fault code (FAULT_NAMES)');
const Fraction = num(0, 1).describe('drive level, 0..1 (duty of the drive PWM; stepper: fraction of stage travel)');
const Raw = int(0, L.RAW_MAX).describe('raw ADC reading, 0..65535');
const Count = int(0, Number.MAX_SAFE_INTEGER);
const Coef = num(-L.CAL_ABS_MAX, L.CAL_ABS_MAX);
const Pos = num(0, L.CAL_ABS_MAX);

// ---------- settings, presets, limits ----------
export const Preset = z.strictObject({
  name: text(1, L.NAME_MAX),
  depth: Depth,
  rate: Rate,
  needle: Needle,
  dia: Dia,
  depthMin: Depth.describe('lowest depth a practitioner may set on the handset, mm'),
  depthMax: Depth.describe('highest depth a practitioner may set on the handset, mm'),
  rateMin: Rate,
  rateMax: Rate,
}).refine((p) => p.depthMin <= p.depth && p.depth <= p.depthMax && p.rateMin <= p.rate && p.rate <= p.rateMax,
  { message: 'depth/rate must lie within depthMin..depthMax / rateMin..rateMax' });

const configShape = {
  depth: Depth,
  rate: Rate,
  pedal: PedalMode,
  preset: int(0, L.MAX_PRESETS - 1).describe('index of the active preset'),
  autoOffMin: int(L.AUTO_OFF_MIN_MIN, L.AUTO_OFF_MAX_MIN).describe('minutes without a press, a cartridge change, a setting or a run before the status LED goes dark; a latched fault keeps showing'),
  maxRunMin: int(L.MAX_RUN_MIN_MIN, L.MAX_RUN_MAX_MIN).describe('longest continuous run, minutes'),
  idleInAir: z.boolean().describe('idle the drive when the needle is off the skin'),
};
export const Config = z.strictObject(configShape);
export const ConfigPatch = z.strictObject({
  depth: configShape.depth.optional(), rate: configShape.rate.optional(), pedal: configShape.pedal.optional(),
  preset: configShape.preset.optional(), autoOffMin: configShape.autoOffMin.optional(),
  maxRunMin: configShape.maxRunMin.optional(), idleInAir: configShape.idleInAir.optional(),
}).refine((o) => Object.keys(o).length > 0, { message: 'at least one setting', params: { code: 'BAD_FIELD' } });
export const Presets = z.strictObject({ presets: z.array(Preset).max(L.MAX_PRESETS) });
export const DepthLimit = z.strictObject({ needle: Needle, maxDepth: Depth.describe('hard depth limit for this cartridge type, mm') });
export const Limits = z.strictObject({ limits: z.array(DepthLimit).max(L.NEEDLES.length) });

// ---------- info, status, counters, faults ----------
export const Info = z.strictObject({
  pv: int(1, 255).describe('protocol version of the pen'),
  fp: hex(L.FP_HEX).describe('schema fingerprint of the pen'),
  fw: text(1, 24).describe('firmware version'),
  board: text(1, 24),
  drive: Drive,
  serial: text(1, 24),
  cal: z.strictObject({ status: CalStatus, date: text(0, 32).describe('calibration date (ISO), "" if none') }),
  service: z.boolean().describe('in SERVICE mode'),
});
export const Status = z.strictObject({
  state: StateName,
  fault: int(0, L.FAULT_MAX).describe('latched fault code, 0 none'),
  warn: int(0, 255).describe('warning bits (WARN_NAMES)'),
  running: z.boolean(),
  service: z.boolean(),
  uptimeMs: Count,
});
export const Counters = z.strictObject({
  cStrokes: Count.describe('strokes with this cartridge'),
  cDots: Count.describe('strokes in skin (dots) with this cartridge'),
  cRunS: Count.describe('run time with this cartridge, s'),
  strokes: Count.describe('lifetime strokes'),
  runS: Count.describe('lifetime run time, s (hours = runS/3600)'),
  faults: Count.describe('lifetime faults'),
  cartridges: Count.describe('cartridges used'),
});
export const FaultEntry = z.strictObject({
  code: FaultCode,
  t: Count.describe('time: seconds since 1970 if the clock is set, else since boot'),
  ctx: text(0, L.TEXT_MAX).describe('context, e.g. the measured value'),
});
export const FaultLog = z.strictObject({
  active: int(0, L.FAULT_MAX).describe('latched fault, 0 none'),
  faults: z.array(FaultEntry).max(L.FAULT_LOG_MAX),
});

// ---------- calibration ----------
export const Calibration = z.strictObject({
  hall: z.strictObject({ offset: num(0, 1).describe('raw ADC (0..1) at zero protrusion'), mmPerUnit: num(-L.CAL_ABS_MAX, L.CAL_ABS_MAX).refine((x) => x !== 0, { message: 'nonzero' }) }),
  stroke: z.strictObject({
    rates: z.array(Rate).min(1).max(L.CAL_TABLE_MAX),
    gain: z.array(Pos).min(1).max(L.CAL_TABLE_MAX),
    offset: z.array(Coef).min(1).max(L.CAL_TABLE_MAX),
    push: num(0, 1),
  }).refine((s) => s.gain.length === s.rates.length && s.offset.length === s.rates.length, { message: 'rates, gain, offset must have equal lengths', params: { code: 'BAD_FIELD' } }).optional(),
  stage: z.strictObject({ stepsPerMm: Pos, depthAtHome: Coef, stepsPerRev: int(1, 100000), lobes: int(1, 16) }).optional(),
  actuator: z.strictObject({ r: Pos, kf: Pos, k: Pos, m: Pos, c: Pos }).optional(),
  gains: z.strictObject({ kp: Coef, ki: Coef }),
  meta: z.strictObject({
    technician: text(1, 32), gaugeId: text(1, 32), date: text(1, 32), firmware: text(1, 24), serial: text(1, 24),
  }),
}).refine((c) => c.stroke !== undefined || c.stage !== undefined, { message: 'needs a stroke model or a stage calibration', params: { code: 'BAD_FIELD' } });

// ---------- requests and replies ----------
const Mode = z.strictObject({ service: z.boolean() });
const Run = z.strictObject({ running: z.boolean() });

/** Every request: its body schema (`req`), its reply body schema (`rep`), and what it does. */
export const REQUESTS = {
  hello: {
    req: z.strictObject({ pv: int(1, 255).describe('protocol version of the host'), fp: hex(L.FP_HEX).describe('schema fingerprint of the host'), host: text(0, L.TEXT_MAX).optional() }),
    rep: Info,
    doc: 'Handshake. Always accepted, whatever the envelope version. If the fingerprints differ the pen answers BAD_VERSION naming both and refuses every other request until a matching hello.',
  },
  status: { req: empty, rep: Status, doc: 'Current state, latched fault, warnings.' },
  getConfig: { req: empty, rep: Config, doc: 'Practitioner settings.' },
  setConfig: { req: ConfigPatch, rep: Config, doc: 'Change some settings; replies with all of them. OUT_OF_RANGE if the depth exceeds the hard limit or the preset range.' },
  getPresets: { req: empty, rep: Presets, doc: 'All presets.' },
  setPreset: { req: z.strictObject({ index: int(0, L.MAX_PRESETS - 1), preset: Preset }), rep: Presets, doc: 'Replace (or append at index = count) a preset.' },
  deletePreset: { req: z.strictObject({ index: int(0, L.MAX_PRESETS - 1) }), rep: Presets, doc: 'Delete a preset (NOT_ALLOWED for the last one or the active one).' },
  getLimits: { req: empty, rep: Limits, doc: 'Hard depth limit per cartridge type.' },
  setLimit: { req: DepthLimit, rep: Limits, doc: 'Set a hard depth limit (technician, SERVICE).' },
  getCounters: { req: empty, rep: Counters, doc: 'Cartridge and lifetime counters.' },
  getFaults: { req: empty, rep: FaultLog, doc: 'Fault log, newest last.' },
  clearFaults: { req: empty, rep: FaultLog, doc: 'Clear the latched fault (technician, SERVICE; the log is kept). NOT_ALLOWED while its cause persists. Practitioners clear on the handset.' },
  svcChallenge: { req: empty, rep: z.strictObject({ nonce: hex(L.NONCE_HEX) }), doc: 'Start SERVICE authentication: a fresh single-use nonce.' },
  svcEnter: {
    req: z.strictObject({ mac: hex(L.MAC_HEX).describe('HMAC-SHA256(secret, nonce + "|" + serial), lower-case hex') }),
    rep: Mode, doc: 'Enter SERVICE mode. AUTH_FAILED on a wrong MAC or no outstanding nonce; the nonce is consumed either way.',
  },
  svcLeave: { req: empty, rep: Mode, doc: 'Leave SERVICE mode (stops any run or hold).' },
  runStart: {
    req: z.strictObject({
      depth: Depth, rate: Rate, maxS: int(1, L.RUN_MAX_S).describe('stop after this many seconds'),
      openLoop: z.boolean().optional().describe('run with the depth and rate loops off (feed-forward only), to measure what the loop buys; SERVICE or bench build'),
    }),
    rep: Run, doc: `Start a host-driven run (SERVICE or bench build). The host must send hb every ${L.HEARTBEAT_INTERVAL_MS} ms; the pen stops ${L.HEARTBEAT_TIMEOUT_MS} ms after the last one.`,
  },
  runStop: { req: empty, rep: Run, doc: 'Stop any run, hold, sweep or capture. Always allowed.' },
  hb: { req: empty, rep: empty, doc: `Heartbeat of a host-driven run. No reply (errors are still replied).` },
  hold: {
    req: z.strictObject({ duty: Fraction, settleMs: int(L.DWELL_MIN_MS, L.DWELL_MAX_MS).optional() }),
    rep: z.strictObject({ hall: Raw, settled: z.boolean() }),
    doc: 'Hold a drive level (voice coil) or depth-stage position as a fraction of its travel (stepper) and reply with the settled raw Hall reading. The hold lasts while hb arrive (as a run), until runStop or the next primitive.',
  },
  sweep: {
    req: z.strictObject({ duties: z.array(Fraction).min(1).max(L.SWEEP_MAX), dwellMs: int(L.DWELL_MIN_MS, L.DWELL_MAX_MS) }),
    rep: z.strictObject({ hall: z.array(Raw).max(L.SWEEP_MAX) }),
    doc: 'Hold each level for dwellMs and read the Hall sensor at the end of each dwell.',
  },
  capture: {
    req: z.strictObject({
      rate: Rate, duty: Fraction, n: int(L.CAPTURE_MIN, L.CAPTURE_MAX).optional(),
      ch: oneOf(L.CAPTURE_CHANNELS as ('hall' | 'current')[]).optional().describe('signal to record (default hall); current: the coil current sense, for back-EMF identification'),
    }),
    rep: z.strictObject({ fs: num(1, 1e6).describe('sample rate, Hz'), samples: z.array(Raw).max(L.CAPTURE_MAX) }),
    doc: 'Run strokes at rate/duty and capture one stroke of raw samples (Hall, or the coil current sense with ch: "current").',
  },
  sensors: {
    req: empty,
    rep: z.strictObject({ hall: Raw, current: Raw, ntc: Raw, vsupply: Raw, cartridge: z.boolean(), home: z.boolean(), indexUs: Count.describe('cam index period, µs, 0 if none') }),
    doc: 'Raw sensor readings.',
  },
  calRead: { req: empty, rep: z.strictObject({ status: CalStatus, cal: Calibration.nullable() }), doc: 'The active calibration record.' },
  calWrite: {
    req: z.strictObject({ cal: Calibration, trial: z.boolean().optional().describe('use it in RAM for SERVICE runs only (verification before writing); not written to flash, dropped on leaving SERVICE') }),
    rep: z.strictObject({ status: CalStatus }),
    doc: 'Write a new calibration record, read it back and use it (the previous one is kept for calRestore). With trial: true, only try it.',
  },
  calRestore: { req: empty, rep: z.strictObject({ status: CalStatus, cal: Calibration.nullable() }), doc: 'Go back to the previous calibration record (NOT_ALLOWED if none).' },
  tlmSub: {
    req: z.strictObject({
      every: int(L.TLM_EVERY_MIN, L.TLM_EVERY_MAX).describe('strokes per record'),
      fields: z.array(oneOf(L.TLM_FIELDS)).min(1).max(L.TLM_FIELDS.length).optional().describe('fields to send (default all)'),
      perStroke: z.boolean().optional().describe('append the per-stroke measured depths, µm'),
    }),
    rep: z.strictObject({ mask: int(1, L.TLM_ALL), every: int(L.TLM_EVERY_MIN, L.TLM_EVERY_MAX), perStroke: z.boolean() }),
    doc: 'Subscribe to telemetry records (one per `every` strokes while running).',
  },
  tlmUnsub: { req: empty, rep: empty, doc: 'Stop telemetry.' },
  reboot: { req: empty, rep: empty, doc: 'Reply, then reset the pen (drive off first).' },
} as const;

export type RequestId = keyof typeof REQUESTS;
export const REQUEST_IDS = Object.keys(REQUESTS) as RequestId[];
export type RequestBody<K extends RequestId> = z.input<(typeof REQUESTS)[K]['req']>;
export type ReplyBody<K extends RequestId> = z.output<(typeof REQUESTS)[K]['rep']>;

// ---------- events (pen -> host, unsolicited) ----------
/** Telemetry body: positional array [mask, ...values of selected TLM_FIELDS, [depths µm]?] (decoded by telemetry.ts). */
export const TelemetryBody = z.array(z.union([z.int(), z.array(int(L.TLM_DEPTH_MIN_UM, L.TLM_DEPTH_MAX_UM)).max(L.TLM_EVERY_MAX)]))
  .min(2).max(L.TLM_FIELDS.length + 2);
export const EVENTS = {
  state: { body: z.strictObject({ state: StateName, prev: StateName, t: Count.describe('ms since boot'), why: text(0, L.TEXT_MAX).optional() }), doc: 'The pen changed state.' },
  fault: { body: z.strictObject({ code: FaultCode, t: Count, ctx: text(0, L.TEXT_MAX) }), doc: 'A fault latched (drive off, needle retracted).' },
  warn: { body: z.strictObject({ code: WarnName, t: Count, ctx: text(0, L.TEXT_MAX).optional() }), doc: 'A warning (not latched), e.g. depthNotReached.' },
  tlm: { body: TelemetryBody, doc: 'Telemetry record (compact positional array, see Telemetry).' },
} as const;
export type EventId = keyof typeof EVENTS;
export type EventBody<K extends EventId> = z.output<(typeof EVENTS)[K]['body']>;

/** Error reply body (i = "err", s = the request's seq, or 0 if unreadable). */
export const ErrorBody = z.strictObject({ code: ErrorCode, msg: z.string().max(L.MSG_MAX).describe('human-readable message') });

// ---------- envelope ----------
export const Envelope = z.strictObject({
  v: int(0, 255).describe('protocol version'),
  i: z.string().min(1).max(24).describe('message id'),
  s: int(0, L.SEQ_MAX).describe('sequence number'),
  b: z.string().max(L.PACKET_MAX).describe('the body, as a JSON string'),
  c: int(0, 0xffffffff).describe('CRC-32 of b'),
});

export type Envelope = z.infer<typeof Envelope>;
export type Preset = z.infer<typeof Preset>;
export type Config = z.infer<typeof Config>;
export type ConfigPatch = z.infer<typeof ConfigPatch>;
export type Presets = z.infer<typeof Presets>;
export type DepthLimit = z.infer<typeof DepthLimit>;
export type Limits = z.infer<typeof Limits>;
export type Info = z.infer<typeof Info>;
export type Status = z.infer<typeof Status>;
export type Counters = z.infer<typeof Counters>;
export type FaultEntry = z.infer<typeof FaultEntry>;
export type FaultLog = z.infer<typeof FaultLog>;
export type Calibration = z.infer<typeof Calibration>;
export type ErrorCode = z.infer<typeof ErrorCode>;
export type ErrorBody = z.infer<typeof ErrorBody>;
export type StateName = z.infer<typeof StateName>;

/** All messages as one schema: what the fingerprint hashes and the docs show. */
export function allMessagesSchema() {
  const req: Record<string, z.ZodType> = {};
  for (const k of REQUEST_IDS) req[k] = z.object({ request: REQUESTS[k].req, reply: REQUESTS[k].rep });
  const ev: Record<string, z.ZodType> = {};
  for (const k of Object.keys(EVENTS) as EventId[]) ev[k] = EVENTS[k].body;
  return z.object({
    version: z.literal(L.PROTOCOL_VERSION),
    envelope: Envelope,
    requests: z.object(req),
    events: z.object(ev),
    error: ErrorBody,
    flags: z.literal(JSON.stringify(L.REQUEST_FLAGS)),
    telemetry: z.literal(JSON.stringify([L.TLM_FIELDS, L.TLM_MIN, L.TLM_MAX])),
  });
}
