// The firmware on the real Espruino interpreter (Linux build), when ESPRUINO_BIN names one:
// stipple-bench.js goes in through the console into Storage, boots without an error,
// and its memory use after boot is printed. Skips, saying why, when ESPRUINO_BIN is unset.
import { readFileSync, existsSync } from 'fs';
import path from 'path';
import { encodeFileUpload, ACK } from '@stipple/protocol';
import { EspruinoProcess } from '../support/espruino-process';
import { PenClient } from '@stipple/host-tools/link/pen-client';
import type { TelemetryRecord } from '@stipple/protocol';

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

  it('speaks the protocol: the host client completes hello, reads info, and receives telemetry from a bench run', async () => {
    const client = new PenClient(esp.transport(), { hostName: 'conformance', timeoutMs: 2000 });
    try {
      const info = await client.connect();
      expect(info.drive).toBe('bench');
      expect(info.cal.status).toBe('ok');
      const st = await client.status();
      expect(st.state).toBe('READY');
      // SERVICE entry runs the pen's own SHA-256/HMAC on the interpreter (its constants are
      // computed at run time); a bare interpreter has no `hw` file, so the secret is empty
      await client.enterService('');
      expect((await client.status()).service).toBe(true);
      await client.leaveService();
      const records: TelemetryRecord[] = [];
      client.onTelemetry((r) => records.push(r));
      let replText = '';
      client.onText((t) => { replText += t; });
      await client.subscribeTelemetry({ every: 12, perStroke: true });
      await client.startRun({ depth: 1.0, rate: 150, maxS: 10 });
      await new Promise((r) => setTimeout(r, 2500));
      await client.stopRun();
      expect(records.length).toBeGreaterThan(10);
      const last = records[records.length - 1];
      expect(last.setUm).toBe(1000);
      expect(last.rate).toBe(150);
      // the bench model's loop has closed on the setpoint
      expect(Math.abs(last.depthUm! - 1000)).toBeLessThan(60);
      expect(client.lostEvents).toBe(0);
      // each record carries exactly its own strokes' depths, and nothing threw on the pen
      for (const r of records) expect(r.depths!.length).toBe(r.n);
      expect(replText).not.toMatch(/Uncaught|Error/);
      // control CPU: the firmware's per-block work, timed on the interpreter by the bench build
      const printed = await esp.evalLine('print(JSON.stringify(global.stippleCpu))');
      const cpu = JSON.parse(/\{"s":[^}]*\}/.exec(printed)![0]) as { s: number; blocks: number; strokes: number };
      const perStrokeUs = (cpu.s / cpu.strokes) * 1e6;
      const picoPct = ((perStrokeUs * 50) / (1e6 / 150)) * 100;
      // eslint-disable-next-line no-console
      console.log(`espruino-conformance: ${path.basename(bin!)}: hello fp ${info.fp}, ${records.length} telemetry records, last depth ${last.depthUm} µm; ` +
        `control ${perStrokeUs.toFixed(1)} µs/stroke on this interpreter → ≈ ${picoPct.toFixed(1)} % of a 150 strokes/s period on a Pico (×50)`);
    } finally {
      await client.close();
    }
  });
});
