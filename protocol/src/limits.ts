// Protocol constants: ranges, enumerations, message flags, framing bytes.
// ZOD-FREE on purpose: the firmware bundles this module (and only this one from
// @stipple/protocol); the zod schemas in schemas.ts are built from these same values,
// so the two validators cannot drift apart on a limit. Keep it to primitives, small
// arrays and RegExps (each property costs JsVars on the pen).
// Units follow firmware/src/app/settings.ts and ../shared/domain.md: depth and needle
// diameter in mm (setpoint grid 0.01 mm), rate in strokes/s.

/** Bumped on any incompatible change of the envelope or of a message. */
export const PROTOCOL_VERSION = 1;

// ---- Espruino console packet protocol (2v25+) ----
export const DLE = 0x10;
export const SOH = 0x01;
export const ACK = 0x06;
export const NAK = 0x15;
export const PKT_RESPONSE = 0x0000;
export const PKT_EVAL = 0x2000;
export const PKT_EVENT = 0x4000;
export const PKT_FILE_SEND = 0x6000;
export const PKT_DATA = 0x8000;
export const PKT_FILE_RECV = 0xa000;
export const PKT_TYPE_MASK = 0xe000;
export const PKT_LEN_MASK = 0x1fff;
/** Largest packet payload (13-bit length). */
export const PACKET_MAX = 8191;

// ---- envelope ----
/** Request sequence numbers are 1..SEQ_MAX; 0 in an error reply means "the request's seq was unreadable". */
export const SEQ_MAX = 0x7fffffff;
/** `i` of an error reply. */
export const ERR_ID = 'err';

// ---- run supervision ----
/** The pen stops a host-driven run when no heartbeat arrived for this long. */
export const HEARTBEAT_TIMEOUT_MS = 200;
/** The host sends a heartbeat this often while it drives a run (4 per timeout window). */
export const HEARTBEAT_INTERVAL_MS = 50;

// ---- strings ----
/** Printable ASCII only: the packet length is in bytes and E.CRC32 works on bytes. */
export const PRINTABLE_RE = /^[ -~]*$/;
export const HEX_RE = /^[0-9a-f]*$/;
export const NAME_MAX = 16;
export const TEXT_MAX = 40;
export const MSG_MAX = 120;

// ---- settings and presets ----
export const DEPTH_MIN_MM = 0.2;
export const DEPTH_MAX_MM = 2.0;
export const DEPTH_STEP_MM = 0.01;
export const RATE_MIN = 50;
export const RATE_MAX = 150;
export const DIA_MIN_MM = 0.18;
export const DIA_MAX_MM = 0.35;
export const DIA_STEP_MM = 0.01;
export const MAX_PRESETS = 8;
export const AUTO_OFF_MIN_MIN = 1;
export const AUTO_OFF_MAX_MIN = 120;
export const MAX_RUN_MIN_MIN = 1;
export const MAX_RUN_MAX_MIN = 240;
export const PEDAL_MODES = ['hold', 'toggle'];
export const NEEDLES = ['1RL', '3RL'];
export const DRIVES = ['voiceCoil', 'stepper', 'bench'];
export const CAL_STATUS = ['ok', 'missing', 'corrupt'];

/** Mirrors firmware/src/safety/fault-codes.ts (telemetry sends the index). */
export const STATE_NAMES = ['BOOT', 'IDLE', 'READY', 'RUNNING', 'FAULT', 'SERVICE'];
/** Fault codes 1..FAULT_MAX; names for display (mirrors firmware/src/safety/fault-codes.ts). */
export const FAULT_MAX = 255;
export const FAULT_NAMES = [
  'NONE', 'SENSOR_RANGE', 'SENSOR_STUCK', 'OVER_CURRENT', 'OVER_TEMP', 'UNDER_VOLTAGE', 'BROWN_OUT',
  'TRACKING', 'JAM', 'STALL', 'DEPTH_LIMIT', 'CARTRIDGE_REMOVED', 'WATCHDOG', 'STORAGE_CORRUPT',
  'UNCALIBRATED', 'LINK_LOST', 'MAX_RUN_TIME',
];
/** Warning names; bit k of the telemetry `warn` field is WARN_NAMES[k]. */
export const WARN_NAMES = ['depthNotReached', 'lowBattery', 'inAir'];
export const FAULT_LOG_MAX = 32;

// ---- host-driven runs and calibration primitives ----
export const RUN_MAX_S = 3600;
export const DWELL_MIN_MS = 10;
export const DWELL_MAX_MS = 2000;
export const SWEEP_MAX = 64;
export const CAPTURE_MIN = 16;
export const CAPTURE_MAX = 512;
/** Signals a capture can record: the Hall sensor (needle bar position) or the coil current sense. */
export const CAPTURE_CHANNELS = ['hall', 'current'];
/** Raw ADC readings are sent as integers 0..RAW_MAX (analogRead()·65535, Waveform samples as is). */
export const RAW_MAX = 65535;
export const CAL_TABLE_MAX = 16;
/** Bound on any calibration coefficient's magnitude. */
export const CAL_ABS_MAX = 1e6;

// ---- service-mode authentication ----
export const NONCE_HEX = 32;
export const MAC_HEX = 64;
export const FP_HEX = 16;

// ---- telemetry ----
/**
 * Telemetry record fields, in wire order. A record is a positional array
 * [mask, <value of each selected field, in this order>, [per-stroke depths µm]?].
 * All values are integers:
 * t ms since boot (wraps at 2^32), setUm/depthUm µm, rate strokes/s, duty ‰ (0..1000),
 * mA coil/motor current, dC temperature in 0.1 °C, state index into STATE_NAMES,
 * fault code (0 none), warn bits (WARN_NAMES), inSkin strokes in skin, n strokes in the record.
 */
export const TLM_FIELDS = ['t', 'setUm', 'depthUm', 'rate', 'duty', 'mA', 'dC', 'state', 'fault', 'warn', 'inSkin', 'n'];
/** Inclusive integer range of each field, same order as TLM_FIELDS. */
export const TLM_MIN = [0, 0, -2000, 0, 0, 0, -400, 0, 0, 0, 0, 1];
export const TLM_MAX = [4294967295, 2000, 4000, 200, 1000, 20000, 1500, 15, 255, 255, 1000, 1000];
export const TLM_ALL = 4095;
/** Fields only a measured stroke gives (depthUm, duty, inSkin, n): a record made before the strokes (a stepper's stage travel) leaves them out, and its per-stroke depths. */
export const TLM_STROKE_FIELDS = 3092;
/** Per-stroke depth range, µm (the needle's mechanical travel, docs/hardware.md). */
export const TLM_DEPTH_MIN_UM = -2000;
export const TLM_DEPTH_MAX_UM = 4000;
/** A record covers N strokes, TLM_EVERY_MIN ≤ N ≤ TLM_EVERY_MAX: bounds the link load (see test). */
export const TLM_EVERY_MIN = 10;
export const TLM_EVERY_MAX = 1000;
/** Worst-case telemetry budget of the link, bytes/s. */
export const TLM_BUDGET_BPS = 5000;

// ---- error codes ----
export const ERROR_CODES = [
  'BAD_FRAME', 'BAD_CRC', 'BAD_VERSION', 'UNKNOWN_MESSAGE', 'BAD_FIELD', 'OUT_OF_RANGE',
  'DUPLICATE', 'NOT_ALLOWED', 'NEEDS_SERVICE', 'AUTH_FAILED', 'BUSY', 'INTERNAL',
];

// ---- message flags ----
/** Changes pen state: never called for an invalid frame; not retried by the host; duplicate seq refused. */
export const F_WRITE = 1;
/** Needs SERVICE mode. */
export const F_SERVICE = 2;
/** Allowed in SERVICE mode or on the bench build. */
export const F_RUN = 4;
/** No reply on success. */
export const F_NOREPLY = 8;
/** Same effect when repeated: the host may retry it (with a new seq) after a timeout or NAK. */
export const F_IDEMPOTENT = 16;

/** Host → pen requests and their flags. The reply to request X has i = X and the request's seq. */
export const REQUEST_FLAGS: { [id: string]: number } = {
  hello: F_IDEMPOTENT,
  status: F_IDEMPOTENT,
  getConfig: F_IDEMPOTENT,
  setConfig: F_WRITE | F_IDEMPOTENT,
  getPresets: F_IDEMPOTENT,
  setPreset: F_WRITE | F_IDEMPOTENT,
  deletePreset: F_WRITE,
  getLimits: F_IDEMPOTENT,
  setLimit: F_WRITE | F_SERVICE | F_IDEMPOTENT,
  getCounters: F_IDEMPOTENT,
  getFaults: F_IDEMPOTENT,
  clearFaults: F_WRITE | F_SERVICE | F_IDEMPOTENT,
  svcChallenge: F_IDEMPOTENT,
  svcEnter: F_WRITE,
  svcLeave: F_WRITE | F_IDEMPOTENT,
  runStart: F_WRITE | F_RUN,
  runStop: F_WRITE | F_IDEMPOTENT,
  hb: F_NOREPLY,
  hold: F_WRITE | F_SERVICE | F_IDEMPOTENT,
  sweep: F_WRITE | F_SERVICE,
  capture: F_WRITE | F_SERVICE,
  sensors: F_IDEMPOTENT,
  calRead: F_IDEMPOTENT,
  calWrite: F_WRITE | F_SERVICE,
  calRestore: F_WRITE | F_SERVICE,
  tlmSub: F_WRITE | F_IDEMPOTENT,
  tlmUnsub: F_WRITE | F_IDEMPOTENT,
  reboot: F_WRITE,
};

/** Pen → host unsolicited messages (their own seq counter). */
export const EVENT_IDS = ['state', 'fault', 'warn', 'tlm'];

/** Is x on the grid of `step` (e.g. 0.01 mm)? Shared by zod and the firmware validators. */
export function onGrid(x: number, step: number): boolean {
  const q = x / step;
  return Math.abs(q - Math.round(q)) < 1e-6;
}
