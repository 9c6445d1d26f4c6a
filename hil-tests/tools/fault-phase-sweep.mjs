// The worst fault reaction over where in a block the fault falls: copies a fault scenario with
// its injection moved across one block in steps (and its rate changed, if asked), runs them on
// the simulator and prints each latch time and the worst. Reproduces docs/safety.md's "over the
// fault's phase in the block" figures.
//   node hil-tests/tools/fault-phase-sweep.mjs SCENARIO.yaml [RATE] [STEPS]
// e.g. node hil-tests/tools/fault-phase-sweep.mjs hil-tests/scenarios/faults/fault-jam-150.yaml 125
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [file, rateArg, stepsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: fault-phase-sweep.mjs SCENARIO.yaml [RATE] [STEPS]');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const text = readFileSync(file, 'utf8');
const rate = Number(rateArg ?? /rate: (\d+)/.exec(text)?.[1]);
const steps = Number(stepsArg ?? 10);
// a block is 6 strokes at 125/s and above, 3 below 125, 2 below 75 (firmware strokesPerBlock)
const blockS = (rate < 75 ? 2 : rate < 125 ? 3 : 6) / rate;
const injectAt = Number(/- at: ([\d.]+)\n\s+inject:/.exec(text)?.[1]);
if (!Number.isFinite(injectAt)) throw new Error(`${file}: no "- at: T / inject:" entry`);
const dir = mkdtempSync(path.join(tmpdir(), 'phase-sweep-'));
try {
  for (let i = 0; i < steps; i++) {
    const t = (injectAt + (blockS * i) / steps).toFixed(5);
    const copy = text
      .replace(/rate: \d+/g, `rate: ${rate}`)
      .replace(/(- at: )[\d.]+(\n\s+inject:)/, `$1${t}$2`)
      .replace(/^name: (.*)$/m, `name: $1 (${rate}/s, injected at ${t} s)`)
      .replace(/(count:\n\s+min: )\d+/, `$1${Math.floor(rate * 0.8)}`);
    writeFileSync(path.join(dir, `s${i}.yaml`), copy);
  }
  let out = '';
  try {
    out = execFileSync(process.execPath, [path.join(root, 'host-tools/bin/stipple.js'), 'hil', dir, '--target', 'sim', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch (e) {
    out = e.stdout; // failed scenarios exit non-zero; the JSON is still there
  }
  const r = JSON.parse(out);
  let worst = 0;
  for (const s of r.scenarios) {
    const f = s.outcomes.find((o) => o.kind === 'fault');
    const ms = f?.figures?.latchMs;
    const deep = s.outcomes.find((o) => /hard limit/.test(o.name));
    console.log(`${s.name}: ${ms === undefined ? 'no latch' : `${ms.toFixed(1)} ms`}${deep && !deep.pass ? `  PAST THE HARD LIMIT: ${deep.seen}` : ''}`);
    if (ms !== undefined && ms > worst) worst = ms;
  }
  console.log(`worst ${worst.toFixed(1)} ms over ${steps} injection times across a ${(blockS * 1000).toFixed(1)} ms block at ${rate}/s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
