// The firmware on the real Espruino interpreter (Linux build), when ESPRUINO_BIN names one:
// stipple-bench.js goes in through the console into Storage, boots without an error,
// and its memory use after boot is printed. Skips, saying why, when ESPRUINO_BIN is unset.
import { readFileSync, existsSync } from 'fs';
import path from 'path';
import { encodeFileUpload, ACK } from '@stipple/protocol';
import { EspruinoProcess } from '../support/espruino-process';
import { PenClient } from '@stipple/host-tools/link/pen-client';
import type { TelemetryRecord } from '@stipple/protocol';
import { strokesPerBlock } from '@stipple/firmware/control/block-analysis';

const bin = process.env.ESPRUINO_BIN;
const bundle = path.join(__dirname, '..', '..', 'firmware', 'dist', 'stipple-bench.js');
const maybe = bin && existsSync(bin) ? describe : describe.skip;
if (!bin) {
  // eslint-disable-next-line no-console
  console.log('espruino-conformance: skipped: set ESPRUINO_BIN to an Espruino interpreter built for Linux (BOARD=LINUX) to run it');
}

/** The bench build's block timings (global.stippleCpu): µs per stroke over the blocks since `fromBlock`. */
interface CpuFigures { blocks: number; k: number; medianUs: number; noIoUs: number; meanUs: number; trimmedUs: number }

async function cpuSince(esp: EspruinoProcess, fromBlock: number): Promise<CpuFigures> {
  const printed = await esp.evalLine('print(JSON.stringify(global.stippleCpu))');
  const cpu = JSON.parse(/\{"s":[^}]*\}/.exec(printed)![0]) as { s: number; blocks: number; strokes: number; k: number; last: number[]; lastW: number[] };
  // the ring holds the last 64 blocks: those of this run
  const idx: number[] = [];
  for (let b = Math.max(fromBlock, cpu.blocks - 64); b < cpu.blocks; b++) idx.push(b & 63);
  // the median block: other processes on a shared machine preempt some blocks
  const median = (a: number[]): number => a.sort((x, y) => x - y)[a.length >> 1];
  return {
    blocks: idx.length,
    k: cpu.k,
    medianUs: median(idx.map((i) => cpu.last[i])) / cpu.k,
    // the same blocks without their console writes (the Linux console costs a system call per byte)
    noIoUs: median(idx.map((i) => cpu.last[i] - cpu.lastW[i])) / cpu.k,
    meanUs: idx.reduce((a, i) => a + cpu.last[i], 0) / idx.length / cpu.k,
    // the mean without the slowest 5 % of blocks: a telemetry record lands in some blocks only
    // (the median leaves it out), while a preempted block is rare
    trimmedUs: (() => {
      const t = idx.map((i) => cpu.last[i] - cpu.lastW[i]).sort((x, y) => x - y).slice(0, Math.ceil(idx.length * 0.95));
      return t.reduce((a, x) => a + x, 0) / t.length / cpu.k;
    })(),
  };
}

/** µs per stroke on x86 → % of a 150 strokes/s period on a Pico (×50, ../shared/espruino.md). */
const picoPct = (us: number): string => (((us * 50) / (1e6 / 150)) * 100).toFixed(1);

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
      const c = await cpuSince(esp, 0);
      // eslint-disable-next-line no-console
      console.log(`espruino-conformance: ${path.basename(bin!)}: hello fp ${info.fp}, ${records.length} telemetry records, last depth ${last.depthUm} µm; ` +
        `control from Storage ${c.medianUs.toFixed(1)} µs/stroke (median block of ${c.k} strokes, telemetry every 12 strokes with per-stroke depths; ` +
        `mean ${c.meanUs.toFixed(1)}; ${c.noIoUs.toFixed(1)} without console writes, ${c.trimmedUs.toFixed(1)} as the mean of the fastest 95 % without them) ` +
        `→ ≈ ${picoPct(c.medianUs)} % (without console writes ${picoPct(c.noIoUs)} %, ${picoPct(c.trimmedUs)} %) ` +
        `of a 150 strokes/s period on a Pico (×50)`);
    } finally {
      await client.close();
    }
  });

  it('control CPU with the firmware in RAM, when the interpreter has the memory for it', async () => {
    // The Linux build emulates Storage as SPI flash in a file (a fopen/fread/fclose per read,
    // targets/linux/jshardware.c), so code run from Storage pays for file I/O as it is read;
    // a Pico reads Storage from memory-mapped flash. A copy of the bundle in RAM is what the
    // ×50 Pico estimate assumes: 3,681 JsVars after boot on a 16,000-JsVar build, and the
    // copy fails on espruino_pico's 5,100; 12,000 is a safe floor.
    const mem = JSON.parse((await esp.evalLine('print(JSON.stringify(process.memory()))')).trim().split('\n').pop()!);
    if (mem.total < 12000) {
      // eslint-disable-next-line no-console
      console.log(`espruino-conformance: control CPU in RAM skipped: ${path.basename(bin!)} has ${mem.total} JsVars; ` +
        'the bundle in RAM needs more (12,000 is enough: an interpreter built with more, e.g. Espruino\'s make BOARD=LINUX)');
      return;
    }
    esp.write('\x10reset()\n');
    await new Promise((r) => setTimeout(r, 500));
    // a RAM copy of the Storage file (read() alone returns the flash string; a concatenation
    // copies it, token bytes and all)
    esp.write('\x10eval(" "+require("Storage").read(".bootcde"))\n');
    await new Promise((r) => setTimeout(r, 1500));
    const client = new PenClient(esp.transport(), { hostName: 'conformance', timeoutMs: 2000 });
    try {
      client.resetLink();
      await client.connect();
      const lines: string[] = [];
      for (const sub of [null, { every: 12 }, { every: 12, perStroke: true }] as const) {
        if (sub) await client.subscribeTelemetry(sub);
        else await client.unsubscribeTelemetry();
        const from = Number((await esp.evalLine('print(global.stippleCpu.blocks)')).trim());
        await client.startRun({ depth: 1.0, rate: 150, maxS: 10 });
        await new Promise((r) => setTimeout(r, 3000));
        await client.stopRun();
        const c = await cpuSince(esp, from);
        expect(c.blocks).toBeGreaterThan(20);
        lines.push(`${sub ? `telemetry every ${sub.every}${'perStroke' in sub ? ' with per-stroke depths' : ''}` : 'no telemetry'}: ` +
          `median ${c.medianUs.toFixed(1)} µs/stroke (${c.noIoUs.toFixed(1)} without console writes), mean of the fastest 95 % without them ` +
          `${c.trimmedUs.toFixed(1)} → ≈ ${picoPct(c.trimmedUs)} %`);
      }
      // eslint-disable-next-line no-console
      console.log(`espruino-conformance: ${path.basename(bin!)}: control CPU with the firmware in RAM (blocks of ${strokesPerBlock(150, true)} strokes, 150 strokes/s; ` +
        `Pico ×50):\n  ${lines.join('\n  ')}`);
    } finally {
      await client.close();
    }
  });
});
