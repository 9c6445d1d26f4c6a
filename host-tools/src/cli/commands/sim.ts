// `stipple sim --pty <path>`: serve a virtual pen on a pseudo-terminal until killed, so
// that stipple commands, the espruino CLI or a terminal open it like a USB serial port;
// `--gauge-pty` also serves the technician's dial indicator. Same seed, same pen.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { FIRMWARE_BUNDLE, variantBundle } from '../../sim/virtual-pen';
import { SimPtyServer } from '../../sim/pty/pty-server';
import { StorageError } from '../../sim/board';
import { PtyError } from '../../sim/pty/socat-pty';
import { CliError, colour } from '../output';

const VARIANTS = ['voiceCoil', 'stepper'] as const;
const BOARDS = ['PICO', 'WIFI', 'MDBT42Q', 'ESP32'] as const;

interface SimOpts {
  pty?: string;
  gaugePty?: string;
  seed: string;
  variant: string;
  board: string;
  spread: boolean;
  speed: string;
  ownDrive?: boolean;
  json?: boolean;
}

function oneOf<T extends string>(what: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new CliError(`--${what} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v as T;
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('serve a virtual pen on a pseudo-terminal (like a USB serial port) until killed')
    .requiredOption('--pty <path>', 'where the pen\'s serial port appears (a symlink to the PTY)')
    .option('--gauge-pty <path>', 'also serve the virtual dial indicator here (lines like "+000.812 mm", 10 Hz; "?" or "R" reads once)')
    .option('--seed <n>', 'pen seed: part-to-part spread, serial number, noise (same seed, same pen)', '1')
    .option('--variant <v>', `drive variant: ${VARIANTS.join(' | ')}`, 'voiceCoil')
    .option('--board <b>', `MCU board: ${BOARDS.join(' | ')}`, 'PICO')
    .option('--no-spread', 'nominal parts (no part-to-part spread)')
    .option('--speed <x>', 'virtual seconds per wall second', '1')
    .option('--own-drive', 'run the bundle of the pen\'s drive only (stipple-voice-coil.js or stipple-stepper.js) instead of stipple.js')
    .option('--json', 'machine-readable output (one JSON line when ready, one when stopped)')
    .action(async (opts: SimOpts) => {
      const seed = Number(opts.seed);
      if (!Number.isSafeInteger(seed) || seed < 0) throw new CliError(`--seed must be a non-negative integer (got "${opts.seed}")`);
      const speed = Number(opts.speed);
      if (!(speed > 0) || !Number.isFinite(speed)) throw new CliError(`--speed must be a positive number (got "${opts.speed}")`);
      const variant = oneOf('variant', opts.variant, VARIANTS);
      const board = oneOf('board', opts.board, BOARDS);
      const file = opts.ownDrive ? variantBundle(variant) : FIRMWARE_BUNDLE;
      if (!existsSync(file)) throw new CliError(`${path.relative(process.cwd(), file)} is missing: run \`npm run build\``);
      // signal handlers first: a client that sees the ready line may signal us at once
      let stop: (why: string | null) => void = () => undefined;
      const stopped = new Promise<string | null>((resolve) => { stop = resolve; });
      const onSignal = (): void => stop(null);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, onSignal);
      let server: SimPtyServer;
      try {
        server = await SimPtyServer.start({
          seed, variant, board, spread: opts.spread, speed, ptyPath: opts.pty!, gaugePtyPath: opts.gaugePty, variantBundle: opts.ownDrive,
        });
      } catch (e) {
        if (e instanceof PtyError) throw new CliError(e.message);
        if (e instanceof StorageError) throw new CliError(`the firmware bundle does not fit the virtual ${board}'s Storage (${e.message})`);
        throw e;
      }
      server.onFailure((w) => stop(w));
      // a SIGKILLed server leaves no socat either (pdeathsig), only a dangling link
      const onExit = (): void => server.killNow();
      process.on('exit', onExit);
      const wall0 = Date.now();
      const info = {
        event: 'ready', pty: server.consolePty.path, gaugePty: server.gaugePty?.path ?? null, serial: server.pen.serial,
        secret: server.pen.secret, variant, board, seed, spread: opts.spread, speed, pid: process.pid,
      };
      if (opts.json) process.stdout.write(JSON.stringify(info) + '\n');
      else {
        console.log(colour.bold(`virtual pen ${info.serial} (${variant} on ${board}, seed ${seed}${opts.spread ? '' : ', no spread'}) at ${speed}x real time`));
        console.log(`  serial port:       ${info.pty}`);
        if (info.gaugePty) console.log(`  dial indicator:    ${info.gaugePty}  (lines like "+000.812 mm" at 10 Hz; send ? or R for one reading)`);
        console.log(`  technician secret: ${info.secret}`);
        console.log(colour.dim('  Ctrl-C to stop'));
      }
      const why = await stopped;
      await server.close();
      process.off('exit', onExit);
      const stats = {
        event: 'stopped', virtualSeconds: server.pen.board.now, wallSeconds: (Date.now() - wall0) / 1000,
        lagSeconds: server.pacer.lagS, simLoad: server.pacer.busyMs / Math.max(1, Date.now() - wall0), consoleBytesDropped: server.consolePty.dropped, gaugeLines: server.gauge?.lines ?? 0,
        error: why,
      };
      if (opts.json) process.stdout.write(JSON.stringify(stats) + '\n');
      else if (!why) console.log(colour.dim(`stopped after ${stats.virtualSeconds.toFixed(1)} s of virtual time`));
      if (why) throw new CliError(why);
    });
}
