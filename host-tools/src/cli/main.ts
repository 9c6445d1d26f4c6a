// The `stipple` command line. Each command lives in its own module under cli/commands.
import { Command } from 'commander';
import { CliError, colour } from './output';
import { registerPorts } from './commands/ports';
import { registerDemo } from './commands/demo';
import { registerSim } from './commands/sim';
import { registerInfo } from './commands/info';
import { registerFlash } from './commands/flash';
import { registerMonitor } from './commands/monitor';
import { registerCalibrate } from './commands/calibrate';
import { registerBridge } from './commands/bridge';
import { registerBench } from './commands/bench';
import { registerHil } from './commands/hil';
import { registerConsole } from './commands/console';

const program = new Command();
program
  .name('stipple')
  .description('Stipple SMP needle pen: calibrate, flash, monitor and simulate pens')
  .version(require('../../package.json').version)
  .showHelpAfterError();

registerPorts(program);
registerDemo(program);
registerSim(program);
registerInfo(program);
registerFlash(program);
registerMonitor(program);
registerCalibrate(program);
registerBridge(program);
registerBench(program);
registerHil(program);
registerConsole(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`stipple: ${colour.bad(msg.split('\n')[0])}\n`);
  process.exit(e instanceof CliError ? e.exitCode : 1);
});
