// `stipple info --port P`: who the pen is and how it is: firmware, board, drive, schema,
// calibration and its age, counters, latched fault and fault log, state.
import { Command } from 'commander';
import { readPenInfo } from '../info/read-pen-info';
import { renderPenInfo } from '../info/render-pen-info';
import { printJson } from '../output';
import { addPortOptions, withPenSession } from '../port/open-pen-session';
import type { PortOptions } from '../port/open-pen-session';

export function registerInfo(program: Command): void {
  addPortOptions(program.command('info').description('show firmware, board, drive, schema, calibration, counters, faults and state'))
    .option('--json', 'machine-readable output')
    .action(async (opts: PortOptions & { json?: boolean }) => {
      const info = await withPenSession(opts, async (s) => {
        const hello = await s.hello();
        return s.run(readPenInfo(s.client, hello, s.port));
      });
      if (opts.json) printJson(info);
      else console.log(renderPenInfo(info));
    });
}
