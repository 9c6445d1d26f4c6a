// The firmware on the real Espruino interpreter (Linux build), when ESPRUINO_BIN names one:
// stipple-bench.js goes in through the console into Storage, boots without an error,
// and its memory use after boot is printed. Skips, saying why, when ESPRUINO_BIN is unset.
import { readFileSync, existsSync } from 'fs';
import path from 'path';
import { encodeFileUpload, ACK } from '@stipple/protocol';
import { EspruinoProcess } from '../support/espruino-process';

const bin = process.env.ESPRUINO_BIN;
const bundle = path.join(__dirname, '..', '..', 'firmware', 'dist', 'stipple-bench.js');
const maybe = bin && existsSync(bin) ? describe : describe.skip;
if (!bin) {
  // eslint-disable-next-line no-console
  console.log('espruino-conformance: skipped: set ESPRUINO_BIN to an Espruino interpreter built for Linux (BOARD=LINUX) to run it');
}

maybe('firmware on the real Espruino interpreter', () => {
  let esp: EspruinoProcess;
  beforeAll(async () => {
    esp = new EspruinoProcess(bin!);
    await esp.waitFor((t) => t.includes('>'), 5000);
  });
  afterAll(() => esp && esp.kill());

  it('uploads stipple-bench.js through the console packet protocol, boots it without error, and reports memory', async () => {
    const code = readFileSync(bundle, 'latin1');
    for (const pkt of encodeFileUpload('.bootcde', code)) {
      const acks = esp.bytes().filter((b) => b === ACK).length;
      esp.write(pkt);
      await esp.waitFor(() => esp.bytes().filter((b) => b === ACK).length > acks, 5000);
    }
    const size = await esp.evalLine('print(require("Storage").read(".bootcde").length)');
    expect(size.trim()).toBe(String(code.length));
    const mark = esp.text().length;
    esp.write('\x10load()\n');
    await new Promise((r) => setTimeout(r, 1500));
    const bootOutput = esp.text().slice(mark);
    expect(bootOutput).not.toMatch(/Uncaught|Error|SyntaxError|ReferenceError|OUT OF MEMORY/);
    const mem = JSON.parse((await esp.evalLine('print(JSON.stringify(process.memory()))')).trim().split('\n').pop()!);
    const errors = await esp.evalLine('print(JSON.stringify(E.getErrorFlags()))');
    expect(JSON.parse(errors.trim())).toEqual([]);
    // eslint-disable-next-line no-console
    console.log(`espruino-conformance: ${path.basename(bin!)}: process.memory().usage after boot = ${mem.usage} JsVars (total ${mem.total})`);
    expect(mem.usage).toBeGreaterThan(0);
  });
});
