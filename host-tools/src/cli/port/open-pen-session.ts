// The shared --port handling: the options every pen command takes, and opening the pen
// they name. `withPenSession` always closes the session and turns any link failure into
// the CLI's one-line reason.
import type { Command } from 'commander';
import { CliError } from '../output';
import { linkFailure } from './link-failure';
import type { PenSession } from './pen-session';
import { SerialSession } from './serial-session';
import { SimSession } from './sim-session';
import { parseSeed, parseSimVariant, simPenOptions, SIM_VARIANTS } from './sim-pen-options';

export interface PortOptions {
  port: string;
  seed: string;
  variant: string;
  /** With --port sim: the virtual pen runs its drive's own bundle, not stipple.js. */
  simOwnDrive?: boolean;
  /** Technician secret (hex) for SERVICE requests on a real pen. */
  secret?: string;
}

export function addPortOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--port <port>', 'serial port path, a PTY made by `stipple sim --pty`, or "sim" for an in-process virtual pen')
    .option('--seed <n>', 'with --port sim: the virtual pen\'s seed (same seed, same pen)', '1')
    .option('--variant <v>', `with --port sim: ${SIM_VARIANTS.join(' | ')} (bench: the bench firmware build)`, 'voiceCoil')
    .option('--sim-own-drive', 'with --port sim: the virtual pen runs its drive\'s own bundle (stipple-voice-coil.js or stipple-stepper.js), not stipple.js');
}

export async function openPenSession(o: PortOptions): Promise<PenSession> {
  if (o.port === 'sim') return SimSession.open(simPenOptions(parseSeed(o.seed), parseSimVariant(o.variant), o.simOwnDrive));
  if (o.simOwnDrive) throw new CliError(`--sim-own-drive is for --port sim: the pen on ${o.port} runs what was flashed onto it (stipple flash --own-drive)`);
  return SerialSession.open(o.port, o.secret);
}

/** Open the pen, run `fn`, close it whatever happens; failures become one-line CliErrors. */
export async function withPenSession<T>(o: PortOptions, fn: (s: PenSession) => Promise<T>): Promise<T> {
  const s = await openPenSession(o);
  try {
    return await fn(s);
  } catch (e) {
    throw linkFailure(e, o.port);
  } finally {
    await s.close().catch(() => undefined);
  }
}
