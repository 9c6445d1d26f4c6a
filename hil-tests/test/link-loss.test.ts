// Link loss during a host-driven run: the host's heartbeats stop reaching the pen (every
// byte host -> pen dropped from a chosen instant) and the pen must stop the run within
// 200 ms (protocol HEARTBEAT_TIMEOUT_MS + detection), latch LINK_LOST and stay stopped.
// The bench build runs host-driven runs without SERVICE; the PenClient heartbeats on the
// sim's virtual clock.
import { readFileSync } from 'fs';
import path from 'path';
import { connectSimPen } from '@stipple/host-tools/sim/connect-sim-pen';
import { FAULT_NAMES, HEARTBEAT_TIMEOUT_MS } from '@stipple/protocol';

const BENCH = readFileSync(path.join(__dirname, '../../firmware/dist/stipple-bench.js'), 'latin1');

describe('link loss during a host-driven run', () => {
  for (const [depth, rate] of [[1.0, 120], [0.6, 50]] as const) {
    it(`stops within 200 ms of losing heartbeats (${depth} mm, ${rate} strokes/s)`, async () => {
      const { pen, link, client, close } = await connectSimPen({ seed: 3, bundle: BENCH });
      try {
        const faults: { code: number; t: number }[] = [];
        let tlmAfterStop = 0;
        let stoppedAt = -1;
        client.onEvent((e) => {
          if (e.id === 'fault') { faults.push(e.body); stoppedAt = link.now; }
          if (e.id === 'tlm' && stoppedAt >= 0) tlmAfterStop++;
        });
        await link.run(client.subscribeTelemetry({ every: 10 }));
        await link.run(client.startRun({ depth, rate, maxS: 60 }));
        let records = 0;
        client.onTelemetry(() => records++);
        await link.advance(1.0);
        expect(records).toBeGreaterThan(2); // the run is alive while heartbeats arrive
        const cut = link.now;
        pen.board.console.setFaults({ dropRate: 1, direction: 'to-board' });
        await link.until(() => faults.length > 0, { limitS: 2 });
        const detectMs = (stoppedAt - cut) * 1000;
        expect(FAULT_NAMES[faults[0].code]).toBe('LINK_LOST');
        expect(detectMs).toBeLessThanOrEqual(200);
        expect(detectMs).toBeGreaterThan(HEARTBEAT_TIMEOUT_MS - 100); // it was the heartbeat that stopped it
        await link.advance(1.0);
        expect(tlmAfterStop).toBe(0);
        // the link comes back: the pen is still latched, nothing restarted by itself
        pen.board.console.setFaults({ dropRate: 0 });
        const st = await link.run(client.status());
        expect(st.state).toBe('FAULT');
        expect(st.running).toBe(false);
        // eslint-disable-next-line no-console
        console.log(`link loss at ${depth} mm, ${rate}/s: stopped ${detectMs.toFixed(0)} ms after the link was cut`);
      } finally {
        await close();
      }
    });
  }
});
