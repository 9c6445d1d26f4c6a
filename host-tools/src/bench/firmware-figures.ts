// Firmware budgets (issue 4, docs/control.md "Budgets"): the device bundle's size, and —
// only on the real interpreter built for Linux (ESPRUINO_BIN) — memory after boot and the
// control CPU time at 150 strokes/s, measured as the conformance test measures them
// (hil-tests/test/espruino-conformance.test.ts). Without an interpreter both are null and
// `notes` says why: no figure is estimated from Node timings.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FIRMWARE_BUNDLE, VirtualPen } from '../sim/virtual-pen';
import { EspruinoInterpreter } from './espruino-interpreter';

export interface FirmwareFigures {
  /** firmware/dist/stipple.js, bytes (what a pen stores as .bootcde) */
  bundleBytes: number;
  /** boards whose Storage cannot hold the device bundle (the virtual board's flash model: the file is written as a pen stores it) */
  boardsTooSmall: string[];
  /** firmware/dist/stipple-bench.js, bytes (the bench build the interpreter runs) */
  benchBundleBytes: number | null;
  /** process.memory().usage after boot, bench build on the interpreter (budget ≤ 2000) */
  jsVarsAfterBoot: number | null;
  /** per-block control work at 150 strokes/s on the interpreter, µs per stroke */
  controlUsPerStroke: number | null;
  /** that × 50 (Pico/x86 ratio) over a 150 strokes/s period, % (budget ≤ 25) */
  controlCpuPct150: number | null;
  /** the interpreter used, or null */
  interpreter: string | null;
  notes: string[];
}

export const BENCH_BUNDLE = path.join(path.dirname(FIRMWARE_BUNDLE), 'stipple-bench.js');
/** Pico (STM32F401, 84 MHz) vs this x86 running the Linux build: middle of the 30–80× in docs/shared espruino.md. */
export const PICO_SLOWDOWN = 50;
const RATE = 150;
const RUN_MS = 2500;
/** Fresh interpreters tried before giving up (the Linux build sometimes dies mid-upload: espruino-interpreter.ts). */
const ATTEMPTS = 3;

export async function firmwareFigures(espruinoBin: string | undefined): Promise<FirmwareFigures> {
  const f: FirmwareFigures = {
    bundleBytes: statSync(FIRMWARE_BUNDLE).size,
    boardsTooSmall: boardsTooSmall(readFileSync(FIRMWARE_BUNDLE, 'latin1')),
    benchBundleBytes: existsSync(BENCH_BUNDLE) ? statSync(BENCH_BUNDLE).size : null,
    jsVarsAfterBoot: null, controlUsPerStroke: null, controlCpuPct150: null, interpreter: null, notes: [],
  };
  if (!espruinoBin) {
    f.notes.push('jsVarsAfterBoot and controlCpuPct150 are measured only on the real Espruino interpreter built for Linux: set ESPRUINO_BIN to run it (not estimated from Node timings)');
    return f;
  }
  if (!existsSync(espruinoBin)) {
    f.notes.push(`ESPRUINO_BIN=${espruinoBin} does not exist: jsVarsAfterBoot and controlCpuPct150 not measured`);
    return f;
  }
  if (f.benchBundleBytes === null) {
    f.notes.push(`${path.relative(process.cwd(), BENCH_BUNDLE)} is missing (npm run build): jsVarsAfterBoot and controlCpuPct150 not measured`);
    return f;
  }
  f.interpreter = path.basename(espruinoBin);
  const code = readFileSync(BENCH_BUNDLE, 'latin1');
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const esp = new EspruinoInterpreter(espruinoBin);
    try {
      const m = await measureOnInterpreter(esp, code);
      f.jsVarsAfterBoot = m.jsVars;
      f.controlUsPerStroke = Math.round(m.usPerStroke * 10) / 10;
      f.controlCpuPct150 = Math.round(((m.usPerStroke * PICO_SLOWDOWN) / (1e6 / RATE)) * 1000) / 10;
      f.notes.push(`measured on ${f.interpreter} with firmware/dist/stipple-bench.js: ${m.strokes} strokes at ${RATE}/s timed by the build's own getTime() around the block handler; controlCpuPct150 = µs per stroke × ${PICO_SLOWDOWN} / ${(1e6 / RATE).toFixed(0)} µs`);
      break;
    } catch (e) {
      const why = esp.died() || (e instanceof Error ? e.message.split('\n')[0]! : String(e));
      f.notes.push(`attempt ${attempt} of ${ATTEMPTS} on the interpreter failed: ${why}${attempt < ATTEMPTS ? '; a fresh interpreter was started' : ''}`);
    } finally {
      await esp.close();
    }
  }
  return f;
}

/** Boot the bench build, read its memory, run 150 strokes/s for RUN_MS and read the time its block handler took. */
async function measureOnInterpreter(esp: EspruinoInterpreter, code: string): Promise<{ jsVars: number; usPerStroke: number; strokes: number }> {
  const booted = await esp.boot(code);
  if (/Uncaught|Error|OUT OF MEMORY/.test(booted)) throw new Error(`the bench build printed an error while booting: ${booted.trim().split('\n').slice(-2).join(' | ')}`);
  const c = esp.client;
  const jsVars = Number(await c.evaluate('process.memory().usage'));
  await c.connect();
  await c.subscribeTelemetry({ every: 12, perStroke: true });
  await c.startRun({ depth: 1.0, rate: RATE, maxS: 10 });
  await new Promise((r) => setTimeout(r, RUN_MS));
  await c.stopRun();
  const s = Number(await c.evaluate('global.stippleCpu.s'));
  const strokes = Number(await c.evaluate('global.stippleCpu.strokes'));
  if (!(strokes > 0 && s > 0)) throw new Error(`the bench build timed no strokes (stippleCpu ${s} s over ${strokes} strokes)`);
  return { jsVars, usPerStroke: (s / strokes) * 1e6, strokes };
}

const BOARDS = ['PICO', 'WIFI', 'MDBT42Q', 'ESP32'] as const;

function boardsTooSmall(bundle: string): string[] {
  return BOARDS.filter((board) => {
    try {
      new VirtualPen({ seed: 1, board, bundle }); // eslint-disable-line no-new
      return false;
    } catch {
      return true;
    }
  });
}
