import { Command } from 'commander';
import { listPorts } from '../../serial/list-ports';
import { printJson, table, colour } from '../output';

export function registerPorts(program: Command): void {
  program
    .command('ports')
    .description('list serial ports, marking likely Espruino boards by USB vendor/product id')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const ports = await listPorts();
      if (opts.json) return printJson(ports);
      if (ports.length === 0) {
        console.log('no serial ports found');
        return;
      }
      console.log(
        table(
          ['port', 'usb id', 'espruino?'],
          ports.map((p) => [p.path, p.vendorId ? `${p.vendorId}:${p.productId}` : '-', p.espruino ? colour.ok(`yes: ${p.why}`) : 'no']),
        ),
      );
    });
}
