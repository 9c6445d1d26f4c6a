// How fast host code and the virtual pen run together on one virtual timeline, and what
// the link itself costs. Measured in a child process, as speed.test.ts does.
// Print the figures: npx jest host-tools/test/sim/sim-link-speed.test.ts
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

test('sim link: virtual seconds per wall second, idle and during a host-driven run with telemetry', () => {
  const root = path.resolve(__dirname, '../../..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simlink-speed-'));
  const out = path.join(dir, 'runner.js');
  try {
    buildSync({
      entryPoints: [path.join(__dirname, 'sim-link-perf-runner.ts')], bundle: true, platform: 'node', outfile: out,
      tsconfig: path.join(root, 'tsconfig.json'), logLevel: 'silent',
    });
    const r = JSON.parse(execFileSync(process.execPath, [out, root], { encoding: 'utf8' }));
    const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
    // eslint-disable-next-line no-console
    console.log(`sim link: idle ${r.idle.ratio.toFixed(0)}x real time (link/host share ${pct(r.idle.linkShare)}); ` +
      `host-driven run at 120 strokes/s with telemetry ${r.running.ratio.toFixed(0)}x (link/host share ${pct(r.running.linkShare)}, ${r.running.tlmPerS} records/s)`);
    expect(r.running.stillRunning).toBe(true); // heartbeats on virtual time kept the run alive
    expect(r.running.tlmPerS).toBeGreaterThan(5);
    // generous floors: tests run in parallel on a 2-core machine
    expect(r.idle.ratio).toBeGreaterThan(20);
    expect(r.running.ratio).toBeGreaterThan(10);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
