import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

// The target for the whole virtual pen (firmware + physics) is >= 200x real time at 150
// strokes/s with 48 samples per stroke. Speed is a benchmark figure (`stipple bench`,
// sim.realtimeFactor), not a timed test: this runs the speed harness (in a child process,
// as jest's sandbox is not representative), checks that it sampled every sample, and
// prints the ratio.
test('the speed harness runs a 150 strokes/s, 48 samples/stroke firmware and reports its real-time factor', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vboard-speed-'));
  const out = path.join(dir, 'runner.js');
  try {
    buildSync({ entryPoints: [path.join(__dirname, 'perf-runner.ts')], bundle: true, platform: 'node', outfile: out, logLevel: 'silent' });
    const r = JSON.parse(execFileSync(process.execPath, [out], { encoding: 'utf8' })) as { ratio: number; samples: number };
    // eslint-disable-next-line no-console
    console.log(`virtual board alone: ${r.ratio.toFixed(0)}x real time`);
    expect(r.samples).toBe(32 * 7200); // incl. 2 s warm-up
    expect(r.ratio).toBeGreaterThan(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
