// `stipple demo` (what `npm start` runs): boot the firmware on an in-process virtual pen.
// Grows with the CLI: calibration, preset runs and the report come with the calibration issue.
import { Command } from 'commander';
import { VirtualPen } from '../../sim/virtual-pen';
import { printJson, colour } from '../output';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('boot the firmware bundle on an in-process virtual pen and show what it reports')
    .option('--seed <n>', 'pen seed (part-to-part spread)', '1')
    .option('--seconds <s>', 'virtual seconds to run after boot', '2')
    .option('--json', 'machine-readable output')
    .action((opts: { seed: string; seconds: string; json?: boolean }) => {
      const pen = new VirtualPen({ seed: Number(opts.seed) });
      const wall = process.hrtime.bigint();
      pen.powerOn();
      pen.runFor(Number(opts.seconds));
      const wallS = Number(process.hrtime.bigint() - wall) / 1e9;
      const out = {
        serial: pen.serial,
        board: 'PICO',
        virtualSeconds: pen.board.now,
        wallSeconds: wallS,
        resets: pen.board.resets.filter((r) => r.reason !== 'power-on').length,
        uncaughtErrors: pen.board.uncaughtErrors.map((e) => e.message),
        led: pen.hardware.leds.colour(),
        memory: pen.board.memory(),
      };
      if (opts.json) return printJson(out);
      console.log(colour.bold(`virtual pen ${out.serial} booted firmware/dist/stipple.js on a virtual ${out.board}`));
      console.log(`  ran ${out.virtualSeconds.toFixed(1)} s of virtual time in ${wallS.toFixed(2)} s`);
      console.log(`  uncaught errors: ${out.uncaughtErrors.length ? colour.bad(out.uncaughtErrors.join('; ')) : colour.ok('none')}`);
      console.log(`  resets: ${out.resets}`);
      console.log(`  status LED now: ${out.led}`);
      console.log(colour.dim('  (an uncalibrated pen latches UNCALIBRATED and refuses to run: calibrate it with `stipple calibrate`)'));
      if (out.uncaughtErrors.length || out.resets) process.exitCode = 1;
    });
}
