// `stipple console [--port P | --sim] [--listen host:port]`: serves the web console
// (docs/console.md), a page that connects to a pen over Web Serial or Web Bluetooth from
// the browser, or over a WebSocket to the pen this command serves: a virtual pen with its
// calibration rig and handset (--sim), or a pen on this machine's serial port (--port).
// Runs until Ctrl-C (SIGINT, SIGTERM, SIGHUP).
import { Command } from 'commander';
import { ConsoleServer } from '../../console/console-server';
import { DEFAULT_LISTEN, parseListen } from '../../console/listen-address';
import { PAGE_DIR } from '../../console/page-files';
import type { PenPort } from '../../console/pen-port';
import { SerialPenPort } from '../../console/serial-pen-port';
import { SimPenPort } from '../../console/sim-pen-port';
import { StorageError } from '../../sim/board';
import { CliError, colour } from '../output';
import { parseSeed, parseSimVariant, SIM_VARIANTS, simPenOptions } from '../port/sim-pen-options';

interface ConsoleOpts {
  port?: string;
  sim?: boolean;
  seed: string;
  variant: string;
  speed: string;
  listen: string;
  json?: boolean;
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the web console: calibrate and monitor a pen from Chromium (Web Serial, Web Bluetooth, or the pen served here)')
    .option('--sim', 'serve a virtual pen (real time) with its calibration rig and virtual handset')
    .option('--port <port>', 'serve the pen on this serial port (or a `stipple sim --pty` PTY); "sim" is --sim')
    .option('--seed <n>', 'with --sim: the virtual pen\'s seed (same seed, same pen)', '1')
    .option('--variant <v>', `with --sim: ${SIM_VARIANTS.join(' | ')} (bench: the bench firmware build)`, 'voiceCoil')
    .option('--speed <x>', 'with --sim: virtual seconds per wall second', '1')
    .option('--listen <host:port>', 'where to serve the page (port 0: any free port)', DEFAULT_LISTEN)
    .option('--json', 'machine-readable output (one JSON line when ready, one when stopped)')
    .action(async (opts: ConsoleOpts) => {
      const sim = !!opts.sim || opts.port === 'sim';
      if (opts.sim && opts.port !== undefined && opts.port !== 'sim') throw new CliError('--sim and --port name two pens: give one of them');
      let listen;
      try {
        listen = parseListen(opts.listen);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      const speed = Number(opts.speed);
      if (!(speed > 0 && speed <= 10)) throw new CliError(`--speed must be a number above 0 and at most 10 (got "${opts.speed}")`);
      let port: PenPort | null = null;
      let stop: (why: string | null) => void = () => undefined;
      const stopped = new Promise<string | null>((resolve) => { stop = resolve; });
      const onSignal = (): void => stop(null);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, onSignal);
      try {
        if (sim) {
          const variant = parseSimVariant(opts.variant);
          const seed = parseSeed(opts.seed);
          try {
            port = new SimPenPort({ ...simPenOptions(seed, variant), speed, variantName: variant });
          } catch (e) {
            if (e instanceof StorageError) throw new CliError(`the firmware bundle does not fit the virtual board's Storage (${e.message})`);
            throw e;
          }
        } else if (opts.port !== undefined) {
          port = await SerialPenPort.open(opts.port).catch((e: Error) => { throw new CliError(e.message); });
        }
        let server: ConsoleServer;
        try {
          server = await ConsoleServer.start({ port, listen, pageDir: PAGE_DIR, tool: `stipple console ${version()}` });
        } catch (e) {
          throw new CliError((e as Error).message);
        }
        port?.onFailure((why) => stop(why));
        const hello = port?.hello();
        const ready = {
          event: 'ready', url: server.url, mode: hello?.mode ?? 'browser-only', port: hello?.port ?? null,
          serial: hello?.sim?.serial ?? null, secret: hello?.sim?.secret ?? null, pid: process.pid,
        };
        const wall0 = Date.now();
        if (opts.json) process.stdout.write(JSON.stringify(ready) + '\n');
        else {
          const what = hello?.sim ? `virtual pen ${hello.sim.serial} (${hello.sim.variant}, seed ${hello.sim.seed}, ${speed}x real time)`
            : hello ? `the pen on ${hello.port}` : 'pens over Web Serial or Web Bluetooth';
          console.log(colour.bold(`web console for ${what}: ${server.url}`));
          if (hello?.sim) console.log(`  technician secret: ${hello.sim.secret}`);
          console.log(colour.dim('  open it in Chromium, Chrome or Edge; Ctrl-C to stop'));
        }
        const why = await stopped;
        await server.close();
        const stats = {
          event: 'stopped', wallSeconds: (Date.now() - wall0) / 1000, connections: server.connections, refusedMessages: server.refused,
          virtualSeconds: port instanceof SimPenPort ? port.pen.board.now : null, error: why,
        };
        if (opts.json) process.stdout.write(JSON.stringify(stats) + '\n');
        else if (!why) console.log(colour.dim(`stopped after ${stats.wallSeconds.toFixed(1)} s, ${stats.connections} page connection(s)`));
        if (why) throw new CliError(why);
      } finally {
        for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
        await port?.close().catch(() => undefined);
      }
    });
}

function version(): string {
  return (require('../../../package.json') as { version: string }).version; // eslint-disable-line @typescript-eslint/no-require-imports
}
