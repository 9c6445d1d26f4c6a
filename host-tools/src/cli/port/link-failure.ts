// Turns a link failure into the one line a technician can act on (the CLI's rule: exit
// non-zero with a clear one-line reason), naming the port and what to do next.
import { PenError } from '../../link/errors';
import { SimLinkTimeout } from '../../sim/sim-link';
import { CliError } from '../output';

export function linkFailure(e: unknown, port: string): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof SimLinkTimeout) return new CliError(`the virtual pen did not finish: ${e.message}`);
  if (!(e instanceof PenError)) return new CliError(e instanceof Error ? e.message : String(e));
  const first = e.message.split('\n')[0]!;
  switch (e.code) {
    case 'SCHEMA_MISMATCH':
      return new CliError(`${first} — flash matching firmware with \`stipple flash --port ${port}\` or use the host tools built with the pen's firmware`);
    case 'NAK':
      if (e.request === 'hello') return new CliError(`the pen on ${port} runs no Stipple firmware (its REPL refused the protocol packet); flash it with \`stipple flash --port ${port}\``);
      return new CliError(`the pen on ${port} refused ${e.request ?? 'a packet'}: ${first}`);
    case 'TIMEOUT':
      if (e.request === 'hello') return new CliError(`no answer from a pen on ${port} (wrong port, pen off or busy, or the console locked); check \`stipple ports\``);
      return new CliError(`the pen on ${port} stopped answering: ${first}`);
    case 'LINK_CLOSED':
      return new CliError(`the link to ${port} closed: ${first}`);
    default:
      return new CliError(e.fromPen ? `the pen refused ${first}` : first);
  }
}
