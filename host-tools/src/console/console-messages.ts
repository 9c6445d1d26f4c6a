// The messages between the web console page and `stipple console`, over one WebSocket
// (/ws), defined once here for both ends. Each is a JSON object with a channel `t`:
//
//   pen       console bytes of the pen, both ways (base64), exactly as a serial port
//             carries them: the page speaks the pen protocol itself (PenClient)
//   gauge     bytes of the virtual pen's calibration rig, both ways (--sim only): the
//             rig protocol of `stipple sim --gauge-pty` ('?', 'S' … 'P', 'A', 'N';
//             lines like "+000.812 mm")
//   handset   what the virtual handset shows (--sim): LED, contacts, injected faults
//   button / pedal / cartridge / fault    the trainer's hands on the virtual pen (--sim)
//   hello     what the server serves, sent first; error: a refused message or a failure
//
// Both ends validate every message they receive with these schemas; one that fails is
// reported (`error`) and changes nothing.
import { z } from 'zod';
import type { FaultKind } from '../sim/physics/pen-hardware';

export const CONSOLE_PROTOCOL = 1;
export const CONSOLE_WS_PATH = '/ws';

/** Faults a trainer can inject on the virtual pen (docs/simulator.md, Physics: faults). */
export const FAULT_KINDS = [
  'hallDisconnected', 'hallStuck', 'hallNoisy', 'coilOpen', 'coilShorted', 'supplySag', 'brownout', 'overTemp', 'jam',
  'cartridgePulled', 'stall',
] as const satisfies readonly FaultKind[];

/** The handset's buttons, named as the firmware names them (firmware/src/ui/handset.ts). */
export const HANDSET_BUTTONS = ['run', 'speedUp', 'speedDown', 'depthUp', 'depthDown'] as const;
export type HandsetButton = (typeof HANDSET_BUTTONS)[number];

const base64 = z.string().max(1 << 20).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const level = z.number().min(0).max(1);

export const helloMessage = z.strictObject({
  t: z.literal('hello'),
  v: z.literal(CONSOLE_PROTOCOL),
  /** sim: a virtual pen in the server; serial: a pen on the server's serial port */
  mode: z.enum(['sim', 'serial']),
  /** what serves the pen: "sim" or the serial port's path */
  port: z.string().max(200),
  tool: z.string().max(60),
  /** the virtual pen (sim only): its technician secret is known, as `--port sim` knows it */
  sim: z.strictObject({
    serial: z.string().max(24),
    secret: z.string().regex(/^[0-9a-f]{1,64}$/),
    variant: z.string().max(16),
    seed: z.number().int().nonnegative(),
    speed: z.number().positive(),
  }).nullable(),
});

export const handsetStatusMessage = z.strictObject({
  t: z.literal('handset'),
  /** the status LED's channels as driven by the firmware, brightness 0..1 */
  led: z.strictObject({ r: level, g: level, b: level }),
  cartridge: z.boolean(),
  pedal: z.boolean(),
  held: z.array(z.enum(HANDSET_BUTTONS)).max(HANDSET_BUTTONS.length),
  faults: z.array(z.enum(FAULT_KINDS)).max(FAULT_KINDS.length),
  /** the virtual pen's time, s */
  timeS: z.number().nonnegative(),
});

const bytesMessage = <T extends string>(t: T) => z.strictObject({ t: z.literal(t), d: base64 });

export const serverMessage = z.discriminatedUnion('t', [
  helloMessage,
  bytesMessage('pen'),
  bytesMessage('gauge'),
  handsetStatusMessage,
  z.strictObject({ t: z.literal('error'), msg: z.string().max(400) }),
  /** the pen link is gone (serial port closed, simulation stopped): the server closes the socket after this */
  z.strictObject({ t: z.literal('closed'), why: z.string().max(400) }),
]);

export const clientMessage = z.discriminatedUnion('t', [
  bytesMessage('pen'),
  bytesMessage('gauge'),
  /** down/up: hold and let go (long presses, two buttons together); press: down for `ms` of the pen's time */
  z.strictObject({ t: z.literal('button'), button: z.enum(HANDSET_BUTTONS), action: z.enum(['down', 'up', 'press']), ms: z.number().int().min(20).max(10000).optional() })
    .refine((m) => (m.action === 'press') === (m.ms !== undefined), { message: 'ms is given with press, and only with press' }),
  z.strictObject({ t: z.literal('pedal'), down: z.boolean() }),
  z.strictObject({ t: z.literal('cartridge'), seated: z.boolean() }),
  z.strictObject({ t: z.literal('fault'), kind: z.enum(FAULT_KINDS), on: z.boolean() }),
]);

export type HelloMessage = z.infer<typeof helloMessage>;
export type HandsetStatus = z.infer<typeof handsetStatusMessage>;
export type ServerMessage = z.infer<typeof serverMessage>;
export type ClientMessage = z.infer<typeof clientMessage>;

export type Parsed<T> = { ok: true; msg: T } | { ok: false; error: string };

/** Parse and validate one WebSocket message's text. */
export function parseMessage<T>(schema: z.ZodType<T>, text: string): Parsed<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: `not JSON: ${JSON.stringify(text.slice(0, 60))}` };
  }
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, msg: r.data };
  const issue = r.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'message';
  const t = raw && typeof raw === 'object' && typeof (raw as { t?: unknown }).t === 'string' ? ` "${(raw as { t: string }).t}"` : '';
  return { ok: false, error: `invalid${t} message: ${where}: ${issue?.message ?? 'does not match the schema'}` };
}
