// The HIL scenario format, defined once as a zod schema: what a scenario file (JSON or
// YAML) may say. docs/hil.md's reference is generated from this schema (hil-doc.ts), so
// every field's description here is what QA reads. Times are seconds of scenario time
// (virtual time on the simulator, the wall clock on a serial pen), from the moment the
// pen is powered and greeted.
import { z } from 'zod';
import {
  DEPTH_MAX_MM, DEPTH_MIN_MM, DIA_MAX_MM, DIA_MIN_MM, ERROR_CODES, FAULT_NAMES, RATE_MAX, STATE_NAMES,
  TLM_EVERY_MAX, TLM_EVERY_MIN,
} from '@stipple/protocol';

const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]]);

/** Seconds of scenario time. */
const Time = z.number().min(0).max(86400).describe('seconds of scenario time');
/** A time, or `end` (the scenario's duration). */
const TimeRef = z.union([Time, z.literal('end')]).describe('seconds of scenario time, or "end"');

export const BUTTONS = ['run', 'speedUp', 'speedDown', 'depthUp', 'depthDown'] as const;
export const Button = oneOf(BUTTONS).describe('handset button');
export const TISSUES = ['soft', 'normal', 'firm', 'scar', 'air'] as const;
export const Tissue = oneOf(TISSUES).describe('tissue under the cartridge tip (air: lifted off the skin)');
export const SIM_FAULTS = [
  'hallDisconnected', 'hallStuck', 'hallNoisy', 'coilOpen', 'coilShorted', 'supplySag', 'brownout', 'overTemp', 'jam',
  'cartridgePulled', 'stall',
] as const;
export const SimFault = oneOf(SIM_FAULTS).describe('a simulator fault (docs/simulator.md, "Physics: faults")');
export const FAULT_CODE_NAMES = FAULT_NAMES.slice(1) as string[];
export const FaultName = oneOf(FAULT_CODE_NAMES).describe('pen fault code name (docs/safety.md)');
export const StateName = oneOf(STATE_NAMES as string[]).describe('pen state');
export const LED_PATTERNS = ['boot', 'idle', 'ready', 'running', 'depth-not-reached', 'low-battery', 'service', 'fault', 'off'] as const;
export const RECORDS = ['calibration', 'settings', 'presets', 'counters'] as const;

// ---------------------------------------------------------------- the pen
const Needle = z.union([
  z.enum(['1RL', '3RL']).describe('a single needle or a 3-needle round liner, 0.25 mm'),
  z.strictObject({
    count: z.int().min(1).max(9).describe('needles in the group (1 for 1RL, 3 for 3RL)'),
    diameterMm: z.number().min(DIA_MIN_MM).max(DIA_MAX_MM).describe('needle diameter, mm'),
  }),
]).describe('needle configuration of the cartridge');

const Wobble = z.union([
  z.literal('off'),
  z.strictObject({
    amplitudeMm: z.number().min(0).max(0.5).describe('amplitude of the skin surface moving against the tip, mm (hand pressure: ±0.2 mm)'),
    freqHz: z.number().min(0.1).max(20).describe('frequency, Hz (hand pressure: 1–5 Hz)'),
  }),
]).describe('hand-pressure wobble');

export const Conditions = z.strictObject({
  skin: Tissue.optional(),
  stiffness: z.number().min(0.2).max(5).optional().describe('stiffness multiplier on top of the tissue type (a stiffness step: e.g. 1.5)'),
  randomWalk: z.boolean().optional().describe('slow random walk of stiffness as the pen moves across the scalp (simulator default: on)'),
  wobble: Wobble.optional(),
  surfaceOffsetMm: z.number().min(-1).max(1).optional().describe('mean skin surface relative to the cartridge tip, mm'),
  needle: Needle.optional(),
  supplyV: z.number().min(5).max(8.4).optional().describe('battery open-circuit voltage, V (2S pack: 6.0 empty … 8.4 full)'),
  ambientC: z.number().min(-10).max(60).optional().describe('ambient temperature, °C'),
}).describe('conditions around the pen (simulator only)');

export const Pen = z.strictObject({
  seed: z.int().min(0).max(2 ** 31 - 1).default(1).describe('seed of the simulated pen: its part-to-part spread, serial and noise'),
  board: z.enum(['PICO', 'WIFI', 'MDBT42Q', 'ESP32']).default('PICO').describe('Espruino board profile'),
  variant: z.enum(['voiceCoil', 'stepper']).default('voiceCoil').describe('drive variant'),
  spread: z.boolean().default(true).describe('part-to-part spread (false: the nominal pen)'),
  calibrate: z.boolean().default(true).describe('calibrate the pen first through the CLI\'s calibration routine (`stipple calibrate`, sim gauge), as a technician does before a pen is used; false: factory-fresh, no calibration. The result is cached per pen (seed, board, variant, spread) within a run'),
  corrupt: z.array(z.enum(RECORDS)).default([]).describe('records whose flash copies are damaged before the pen boots (both slots), e.g. [calibration]'),
}).describe('the pen under test (simulator only; a serial target tests the pen that is connected)');

export const Host = z.strictObject({
  telemetry: z.union([
    z.literal(false),
    z.strictObject({
      every: z.int().min(TLM_EVERY_MIN).max(TLM_EVERY_MAX).default(12).describe('strokes per record'),
      perStroke: z.boolean().default(true).describe('records carry each stroke\'s measured depth'),
    }),
  ]).default({ every: 12, perStroke: true }).describe('telemetry subscription made after hello (and again after every reboot)'),
}).describe('the host side: the rig\'s PenClient');

// ---------------------------------------------------------------- actions
const at = { at: Time.describe('when, seconds of scenario time'), label: z.string().min(1).max(40).optional().describe('a name other entries refer to (`after:`)') };

const REQUESTS_FOR_SCENARIOS = [
  'status', 'getConfig', 'setConfig', 'getPresets', 'setPreset', 'deletePreset', 'getLimits', 'setLimit', 'getCounters',
  'getFaults', 'clearFaults', 'sensors', 'calRead', 'calRestore', 'tlmSub', 'tlmUnsub', 'reboot',
] as const;
export const HOST_COMMANDS = [...REQUESTS_FOR_SCENARIOS, 'enterService', 'leaveService', 'startRun', 'stopRun', 'calWriteSame'] as const;

/** Host-side failures of a request (link/errors.ts): no reply, the link went away (e.g. the pen lost power). */
export const LINK_FAILURES = ['TIMEOUT', 'NAK', 'LINK_CLOSED'] as const;
export const Expect = z.union([z.literal('ok'), oneOf(ERROR_CODES as string[]), oneOf(LINK_FAILURES), z.literal('any')])
  .describe('what the reply must be: ok, the pen\'s typed error code (e.g. OUT_OF_RANGE, NOT_ALLOWED), a host-side failure (TIMEOUT, NAK, LINK_CLOSED: e.g. the pen lost power before it answered), or any');

export const ACTION_SHAPES = {
  press: z.strictObject({ ...at, press: Button, ms: z.int().min(10).max(10000).default(80).describe('how long it is held, ms') })
    .describe('press and release a handset button'),
  hold: z.strictObject({ ...at, hold: Button }).describe('hold a handset button down (until `release`)'),
  release: z.strictObject({ ...at, release: Button }).describe('release a held button'),
  handset: z.strictObject({
    ...at,
    handset: z.enum(['nextPreset', 'clearFault', 'estop']).describe('nextPreset: speed+ and depth+ together; clearFault: both "−" held 2.5 s; estop: run held 1.5 s'),
  }).describe('a practitioner gesture made of several buttons'),
  pedal: z.strictObject({ ...at, pedal: z.enum(['down', 'up', 'tap']).describe('tap: down, then up 100 ms later') }).describe('the foot pedal'),
  cartridge: z.strictObject({
    ...at,
    cartridge: z.enum(['remove', 'insert', 'swap']).describe('swap: remove, then a new cartridge 1 s later'),
    offsetMm: z.number().min(-0.2).max(0.2).optional().describe('the new cartridge\'s tip offset, mm'),
  }).describe('take out or seat a cartridge (the cartridge switch, with bounce)'),
  set: z.strictObject({ ...at, set: Conditions }).describe('change the conditions (skin, stiffness step, wobble, needle, supply…)'),
  inject: z.strictObject({
    ...at,
    inject: SimFault,
    params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}).describe('the fault\'s parameters (docs/simulator.md)'),
  }).describe('inject a simulator fault'),
  remove: z.strictObject({ ...at, remove: SimFault }).describe('remove a simulator fault\'s cause (the pen stays latched until cleared)'),
  host: z.strictObject({
    ...at,
    host: oneOf(HOST_COMMANDS).describe('a PenClient request, or enterService (HMAC with the pen\'s secret), leaveService, startRun (with heartbeats), stopRun, calWriteSame (write the pen\'s own calibration again: a calibration write)'),
    body: z.record(z.string(), z.unknown()).default({}).describe('the request body (protocol docs); startRun: {depth, rate, maxS}'),
    expect: Expect.default('ok'),
  }).describe('a host command over the protocol; its reply is checked against `expect`'),
  link: z.strictObject({
    ...at,
    link: z.strictObject({
      dropRate: z.number().min(0).max(1).default(0).describe('fraction of bytes dropped'),
      corruptRate: z.number().min(0).max(1).default(0).describe('fraction of bytes with a flipped bit'),
      lost: z.boolean().default(false).describe('nothing gets through'),
      direction: z.enum(['both', 'to-board', 'to-host']).default('both'),
    }),
  }).describe('serial link faults (simulator); all zero restores the link'),
  power: z.strictObject({ ...at, power: z.enum(['off', 'on', 'cycle']).describe('cycle: off, on 0.5 s later') }).describe('cut or restore the power; after power-on the host greets the pen again'),
  powerLoss: z.strictObject({
    ...at,
    powerLoss: z.strictObject({
      afterBytes: z.int().min(0).max(65536).describe('flash bytes still written before the power dies'),
      restoreAfterS: z.number().min(0.05).max(60).default(0.5).describe('power comes back this long after it died'),
    }),
  }).describe('arm a power loss during the next Storage write (simulator); also a check: the scenario fails if the power never dies (the writes came to fewer bytes; a power action of the timeline does not count)'),
} as const;

export const Action = z.union(Object.values(ACTION_SHAPES) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]).describe('one timeline entry: `at` plus exactly one action key');
export type ActionKind = keyof typeof ACTION_SHAPES;
export type ActionOf<K extends ActionKind> = z.output<(typeof ACTION_SHAPES)[K]>;
export type ScenarioAction = { [K in ActionKind]: ActionOf<K> }[ActionKind];

// ---------------------------------------------------------------- assertions
const window = {
  from: TimeRef.default(0).describe('start of the window, s'),
  to: TimeRef.default('end').describe('end of the window, s'),
};
const name = { name: z.string().min(1).max(80).optional().describe('shown in reports (default: generated)') };

const Range = z.union([
  z.number(),
  z.strictObject({ min: z.number().optional(), max: z.number().optional() }),
  z.strictObject({
    truth: z.enum(['strokes', 'dots']).describe('the simulator\'s count of true strokes (or strokes in skin) in the window'),
    from: TimeRef.default(0), to: TimeRef.default('end'),
    tol: z.number().min(0).default(0).describe('allowed difference'),
  }),
  z.strictObject({ sameAs: z.string().min(1).describe('label of an earlier counters assertion: the value it saw'), tol: z.number().min(0).default(0) }),
]).describe('a value: exact number, {min,max}, the simulator\'s truth, or the value an earlier check saw');

export const ASSERTION_SHAPES = {
  depth: z.strictObject({
    ...name,
    depth: z.strictObject({
      ...window,
      targetMm: z.number().min(DEPTH_MIN_MM).max(DEPTH_MAX_MM).describe('the depth the strokes must land at (true protrusion at the bottom of the stroke), mm'),
      settleStrokes: z.int().min(0).max(1000).default(5).describe('strokes at the start of the window not judged (settling)'),
      rmsUm: z.number().positive().optional().describe('largest RMS error, µm'),
      worstUm: z.number().positive().optional().describe('largest error of any single stroke, µm'),
      minStrokes: z.int().min(1).default(10).describe('fewer judged strokes than this fails'),
    }),
  }).describe('depth accuracy on the simulator\'s TRUE protrusion (the rig\'s depth gauge)'),
  rate: z.strictObject({
    ...name,
    rate: z.strictObject({
      ...window,
      targetPerS: z.number().min(0).max(RATE_MAX).optional().describe('strokes/s the pen must make'),
      tolPct: z.number().min(0).default(0.5).describe('allowed error with targetPerS, %'),
      min: z.number().min(0).optional(), max: z.number().min(0).optional(),
      settleS: z.number().min(0).default(0.1).describe('seconds at the start of the window not judged'),
    }),
  }).describe('stroke rate from the true stroke times (first to last stroke in the window)'),
  hardLimit: z.strictObject({
    ...name,
    hardLimit: z.strictObject({ ...window, mm: z.number().min(0).max(3).default(DEPTH_MAX_MM).describe('the hard limit, mm') }),
  }).describe('true protrusion never beyond the hard limit. Every scenario also checks this at 2.0 mm over its whole length'),
  needle: z.strictObject({
    ...name,
    needle: z.strictObject({ ...window, maxProtrusionMm: z.number().min(-2).max(3).describe('the needle tip never passes this, mm (below 0: it never left the cartridge)') }),
  }).describe('true needle protrusion bound (e.g. a pen that must not run)'),
  strokes: z.strictObject({
    ...name,
    strokes: z.strictObject({ ...window, count: Range.describe('true strokes in the window') }),
  }).describe('how many strokes the needle really made'),
  fault: z.strictObject({
    ...name,
    fault: z.strictObject({
      code: z.union([FaultName, z.array(FaultName).min(1)]).describe('the fault that must latch (or one of a list)'),
      after: z.union([Time, z.string().min(1)]).describe('from when: a time, or the label of a timeline entry'),
      withinMs: z.number().positive().describe('it must latch within this many ms'),
      safeWithinMs: z.number().positive().default(50).describe('after the latch, the needle is retracted (true protrusion < 0) and the drive off within this many ms'),
      retracted: z.boolean().default(true).describe('check the needle is retracted; false only where the fault itself holds the needle out (a jammed needle bar): the drive must still be off'),
      latchedForS: z.number().min(0).default(1).describe('and stays latched (state FAULT, drive off) this long, or until a clear'),
    }),
  }).describe('a fault is detected, latched and made safe'),
  noFault: z.strictObject({ ...name, noFault: z.strictObject({ ...window }) }).describe('no fault latches in the window'),
  state: z.strictObject({
    ...name,
    state: z.strictObject({ at: TimeRef, is: z.union([StateName, z.array(StateName).min(1)]), fault: z.union([FaultName, z.literal('NONE')]).optional().describe('the latched fault (NONE: none)') }),
  }).describe('the pen\'s state (a status request at that time)'),
  led: z.strictObject({
    ...name,
    led: z.strictObject({
      at: TimeRef,
      pattern: z.enum(LED_PATTERNS).describe('the status LED pattern over the 2 s before `at`'),
      blinks: z.int().min(1).max(7).optional().describe('fault pattern: red blinks per 2 s (the fault class)'),
    }),
  }).describe('the status LED, read back from the LED pins (simulator)'),
  counters: z.strictObject({
    ...name,
    counters: z.strictObject({
      at: TimeRef,
      label: z.string().min(1).optional().describe('name for `sameAs` in later checks'),
      cStrokes: Range.optional(), cDots: Range.optional(), cRunS: Range.optional(), strokes: Range.optional(),
      runS: Range.optional(), faults: Range.optional(), cartridges: Range.optional(),
    }),
  }).describe('counter values (a getCounters request at that time)'),
  calibration: z.strictObject({
    ...name,
    calibration: z.strictObject({
      at: TimeRef,
      status: z.enum(['ok', 'missing', 'corrupt']),
      sameAsStart: z.boolean().optional().describe('the record equals the one the pen had at the start'),
    }),
  }).describe('the calibration record (a calRead request at that time)'),
  faultLog: z.strictObject({
    ...name,
    faultLog: z.strictObject({ at: TimeRef, maxEntries: z.int().min(0).optional(), contains: z.array(FaultName).optional() }),
  }).describe('the fault log (a getFaults request at that time)'),
  protocol: z.strictObject({
    ...name,
    protocol: z.strictObject({
      ...window,
      noErrors: z.boolean().default(true).describe('no corrupt or invalid message from the pen, no unexpected error reply, no request that failed'),
      telemetry: z.boolean().default(true).describe('telemetry continuity: no event lost (sequence numbers), every record\'s per-stroke depths match its count, records arrive while the pen runs'),
      maxGapS: z.number().positive().default(0.5).describe('longest time between telemetry records while running, s'),
      maxBytesPerS: z.number().positive().optional().describe('largest console output of the pen, bytes/s averaged over the window'),
    }),
  }).describe('the protocol stayed clean'),
  memory: z.strictObject({
    ...name,
    memory: z.strictObject({ at: TimeRef, maxJsVars: z.int().positive().describe('largest process.memory().usage estimate (the virtual board\'s)') }),
  }).describe('the firmware\'s memory estimate is bounded (simulator)'),
} as const;

export const Assertion = z.union(Object.values(ASSERTION_SHAPES) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]).describe('one check: exactly one assertion key');
export type AssertionKind = keyof typeof ASSERTION_SHAPES;
export type AssertionOf<K extends AssertionKind> = z.output<(typeof ASSERTION_SHAPES)[K]>;
export type ScenarioAssertion = { [K in AssertionKind]: AssertionOf<K> }[AssertionKind];
export type RangeSpec = z.output<typeof Range>;

// ---------------------------------------------------------------- the scenario
export const Scenario = z.strictObject({
  name: z.string().min(1).max(120).describe('what the scenario shows, one line'),
  description: z.string().max(2000).optional(),
  tags: z.array(z.string().min(1).max(40)).default([]).describe('free labels (reports group by them)'),
  duration: z.number().positive().max(86400).describe('scenario length, s'),
  pen: Pen.default({ seed: 1, board: 'PICO', variant: 'voiceCoil', spread: true, calibrate: true, corrupt: [] }),
  host: Host.default({ telemetry: { every: 12, perStroke: true } }),
  conditions: Conditions.default({}).describe('conditions at the start (simulator)'),
  timeline: z.array(Action).default([]).describe('what happens, in any order (sorted by `at`)'),
  assert: z.array(Assertion).min(1).describe('what must hold'),
}).superRefine((s, ctx) => {
  const labels = new Set<string>();
  for (const a of s.timeline as ScenarioAction[]) {
    if (a.at > s.duration) ctx.addIssue({ code: 'custom', message: `timeline entry at ${a.at} s is after the end (${s.duration} s)`, path: ['timeline'] });
    if (a.label) labels.add(a.label);
  }
  (s.assert as ScenarioAssertion[]).forEach((a, i) => {
    if ('fault' in a && typeof a.fault.after === 'string' && !labels.has(a.fault.after)) {
      ctx.addIssue({ code: 'custom', message: `fault.after names "${a.fault.after}", which no timeline entry has as its label`, path: ['assert', i, 'fault', 'after'] });
    }
    for (const [k, v] of Object.entries(a as Record<string, unknown>)) {
      const o = v as { at?: unknown; from?: unknown; to?: unknown };
      if (k === 'name' || !o || typeof o !== 'object') continue;
      for (const f of ['at', 'from', 'to'] as const) {
        if (typeof o[f] === 'number' && (o[f] as number) > s.duration) ctx.addIssue({ code: 'custom', message: `${k}.${f} = ${o[f]} s is after the end (${s.duration} s)`, path: ['assert', i, k, f] });
      }
    }
  });
}).describe('a HIL scenario');

export type ScenarioInput = z.input<typeof Scenario>;
export type Scenario = Omit<z.output<typeof Scenario>, 'timeline' | 'assert'> & { timeline: ScenarioAction[]; assert: ScenarioAssertion[] };
export type ConditionsSpec = z.output<typeof Conditions>;
export type PenSpec = z.output<typeof Pen>;

/** Seconds of a TimeRef in a scenario of `duration`. */
export function timeOf(t: number | 'end', duration: number): number {
  return t === 'end' ? duration : t;
}
