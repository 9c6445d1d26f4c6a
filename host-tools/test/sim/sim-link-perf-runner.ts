// Speed of the in-process sim link outside jest (jest's vm sandbox slows everything): a
// bench pen greeted over PenClient, idle, then a host-driven run streaming telemetry with
// heartbeats every 50 ms of virtual time. Bundled and run by sim-link-speed.test.ts.
// argv[2]: the repository root. Prints one JSON line.
import { readFileSync } from 'fs';
import path from 'path';
import { performance } from 'perf_hooks';
import { connectSimPen } from '../../src/sim/connect-sim-pen';
import type { SimLink } from '../../src/sim/sim-link';

async function measure(link: SimLink, seconds: number): Promise<{ ratio: number; linkShare: number }> {
  const w0 = performance.now();
  const b0 = link.stats.boardMs;
  await link.advance(seconds);
  const wall = performance.now() - w0;
  const board = link.stats.boardMs - b0;
  // ratio: virtual s per wall s; linkShare: wall time not spent in the board (link, host, event loop)
  return { ratio: seconds / (wall / 1000), linkShare: (wall - board) / wall };
}

(async () => {
  const root = process.argv[2]!;
  const bundle = readFileSync(path.join(root, 'firmware/dist/stipple-bench.js'), 'latin1');
  const { link, client, close } = await connectSimPen({ seed: 3, bundle });
  await link.advance(2); // warm-up
  const idle = await measure(link, 60);
  let records = 0;
  client.onTelemetry(() => records++);
  await link.run(client.subscribeTelemetry({ every: 10 }));
  await link.run(client.startRun({ depth: 1.0, rate: 120, maxS: 60 }));
  await link.advance(1); // warm-up
  const r0 = records;
  const running = await measure(link, 30);
  const tlmPerS = (records - r0) / 30;
  const st = await link.run(client.status());
  await link.run(client.stopRun());
  await close();
  process.stdout.write(JSON.stringify({ idle, running: { ...running, tlmPerS, stillRunning: st.running } }) + '\n');
})().catch((e) => { process.stderr.write(String(e?.stack ?? e) + '\n'); process.exit(1); });
