// The on-disk queue's limit: with the broker away longer than the queue holds, the first
// messages are kept and delivered in order on return, the rest refused; the overflow is
// logged and reported in the bridge status, and nothing else is lost.
jest.mock('aedes', () => require('./aedes-cjs').loadAedesCjs());
import { SimPenPort } from '../../src/bridge/sim/sim-pen-port';
import { startBridge } from './bridge-harness';
import { AedesBroker } from './test-brokers';
import { Watcher } from './watcher';

test('a full queue refuses, logs and reports the overflow; what it holds arrives in order', async () => {
  const broker = await AedesBroker.start();
  const w = await Watcher.connect(broker.url, { clientId: 'watch-overflow' });
  const pen = new SimPenPort({ seed: 61, variant: 'bench', speed: 20, use: { runS: 2, pauseS: 0.5, faultEveryS: 1 } });
  const LIMIT = 4;
  const tb = startBridge(broker.url, [pen], { queueLimit: LIMIT });
  const agent = tb.bridge.agents[0]!;
  try {
    await w.waitFor(() => w.of('faults').length >= 1 && tb.bridge.backlog === 0, 30000, 'a first fault delivered');
    const before = agent.faultsPublished;
    await broker.kill();
    await w.waitFor(() => agent.faultsPublished >= before + LIMIT + 2, 30000, 'more faults than the queue holds');
    expect(tb.bridge.stats().queue).toMatchObject({ limit: LIMIT, pending: LIMIT });
    const over = tb.bridge.stats().queue.overflowed;
    expect(over).toBeGreaterThanOrEqual(2);
    expect(tb.lines.some((l) => /queue-overflow: on-disk queue full: dropped .*\/faults/.test(l))).toBe(true);
    const back = broker.subscribed('watch-overflow');
    const gate = await broker.restart('stipple-bridge-');
    await back;
    gate.release();
    await w.waitFor(() => w.of('bridgeStatus').some((m) => m.payload.reconnects >= 1), 20000, 'the bridge back');
    pen.freeze();
    await w.waitFor(() => tb.bridge.backlog === 0, 10000, 'the queue delivered');
    const report = w.of('bridgeStatus').map((m) => m.payload).find((p) => p.reconnects >= 1)!;
    expect(report.queue.limit).toBe(LIMIT);
    expect(report.queue.overflowed).toBeGreaterThanOrEqual(over);
    // the queue kept the first LIMIT faults of the outage, in order; refused ones are gaps
    const ns = w.of('faults').map((m) => m.payload.n as number);
    expect(ns.slice(before, before + LIMIT)).toEqual(Array.from({ length: LIMIT }, (_, i) => before + 1 + i));
    const finalOver = tb.bridge.stats().queue.overflowed;
    expect(new Set(ns).size + finalOver).toBe(agent.faultsPublished);
    expect(w.invalid).toEqual([]);
  } finally {
    await tb.close();
    await w.close();
    await broker.stop();
  }
});
