// Load: 50 virtual pens through one bridge for 60 s of virtual time each, as fast as the
// simulator goes, into mosquitto (Aedes where mosquitto is missing), with a subscriber on
// everything: no QoS 1 message is lost. The pens run the bench firmware build
// (firmware/dist/stipple-bench.js, run by a virtual bench rig: 2 s runs, 6 s pauses, the
// rig's heartbeats interrupted every 1.5 s of running so the pen latches LINK_LOST and
// the rig clears it in SERVICE): 50 calibrated device-build pens would spend ~40 s on
// their calibrations alone (docs/mqtt.md, "Load"). The device-build variant, calibrated and
// worked on the pedal with injected faults, is measured with
//   STIPPLE_BRIDGE_LOAD_VARIANT=voiceCoil npx jest host-tools/test/bridge/bridge-load.test.ts
jest.mock('aedes', () => require('./aedes-cjs').loadAedesCjs());
import { SimPenPort } from '../../src/bridge/sim/sim-pen-port';
import { firstArrivals, startBridge } from './bridge-harness';
import { AedesBroker, haveMosquitto, MosquittoBroker } from './test-brokers';
import type { TestBroker } from './test-brokers';
import { Watcher } from './watcher';

const PENS = 50;
const VIRTUAL_S = 60;
const DEVICE = process.env.STIPPLE_BRIDGE_LOAD_VARIANT === 'voiceCoil';

test(`${PENS} virtual pens (${DEVICE ? 'device' : 'bench'} build), ${VIRTUAL_S} s of virtual time each, one bridge: no QoS 1 message lost`, async () => {
  const broker: TestBroker = haveMosquitto ? await MosquittoBroker.start() : await AedesBroker.start();
  const w = await Watcher.connect(broker.url);
  const pens = Array.from({ length: PENS }, (_, k) => new SimPenPort({
    seed: 1000 + k, variant: DEVICE ? 'voiceCoil' : 'bench', freezeAfterS: VIRTUAL_S, sliceS: 0.02, use: { runS: 2, pauseS: 6, faultEveryS: 1.5 },
  }));
  const t0 = Date.now();
  const tb = startBridge(broker.url, pens);
  const bridge = tb.bridge;
  try {
    await w.waitFor(() => pens.every((p) => p.frozen), DEVICE ? 600000 : 120000, `every pen at ${VIRTUAL_S} s of virtual time`);
    const simWallS = (Date.now() - t0) / 1000;
    await w.waitFor(() => bridge.backlog === 0, 20000, 'the bridge\'s QoS 1 backlog acknowledged');
    const acked = bridge.stats().acknowledged;
    const qos1 = () => w.all.filter((m) => m.kind !== 'telemetry' && m.kind !== 'strokes' && !m.retain);
    await w.waitFor(() => qos1().length >= acked, 20000, `all ${acked} acknowledged QoS 1 messages at the subscriber`);
    const st = bridge.stats();
    expect(st).toMatchObject({ connections: 1, skipped: 0, invalid: 0, queue: { pending: 0, overflowed: 0 }, telemetryDropped: 0 });
    // every QoS 1 message the broker acknowledged reached the subscriber, none twice
    expect(qos1().length).toBe(acked);
    let faults = 0;
    for (const a of bridge.agents) {
      expect(a.serial).toBeDefined();
      const ns = w.of('faults', a.serial).map((m) => m.payload.n as number);
      expect(ns).toEqual(firstArrivals(ns));
      expect(ns).toEqual(Array.from({ length: a.faultsPublished }, (_, i) => i + 1));
      expect(ns.length).toBeGreaterThanOrEqual(2);
      const injected = DEVICE ? ['CARTRIDGE_REMOVED', 'SENSOR_RANGE', 'JAM'] : ['LINK_LOST'];
      expect(w.of('faults', a.serial).every((m) => injected.includes(m.payload.name))).toBe(true);
      faults += ns.length;
      expect(w.of('status', a.serial).map((m) => m.payload.status)).toEqual(['birth', 'online']);
      // one summary per virtual second, the bridge connected all along
      expect(w.of('telemetry', a.serial).length).toBeGreaterThanOrEqual(VIRTUAL_S - 2);
    }
    expect(w.invalid).toEqual([]);
    const summaries = w.of('telemetry').length;
    console.log(`load: ${PENS} ${DEVICE ? 'device-build' : 'bench'} pens × ${VIRTUAL_S} virtual s through one bridge into ${broker.name} in ${simWallS.toFixed(1)} s wall; ${acked} QoS 1 messages acknowledged and received (${faults} faults), ${summaries} telemetry summaries`);
  } finally {
    await tb.close();
    await w.close();
    await broker.stop();
  }
});
