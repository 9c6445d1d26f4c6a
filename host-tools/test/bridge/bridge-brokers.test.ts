// The bridge against both brokers: Aedes in this process (MQTT 3.1.1: the bridge falls
// back, commands use the reply topic in the body) and a real mosquitto (MQTT 5: response
// topic and correlation data), with virtual pens running the real firmware bundles. Every
// message the test receives is checked against its zod schema.
jest.mock('aedes', () => require('./aedes-cjs').loadAedesCjs());
import { FAULT_NAMES, REQUEST_IDS } from '@stipple/protocol';
import { SimPenPort } from '../../src/bridge/sim/sim-pen-port';
import { AedesBroker, haveMosquitto, MosquittoBroker } from './test-brokers';
import type { TestBroker } from './test-brokers';
import { firstArrivals, startBridge } from './bridge-harness';
import { Watcher } from './watcher';

const brokers: [string, () => Promise<TestBroker>][] = [['aedes', () => AedesBroker.start()]];
if (haveMosquitto) brokers.push(['mosquitto', () => MosquittoBroker.start()]);
else test.skip('mosquitto is not installed: the mosquitto half of this suite is skipped (apt-get install mosquitto)', () => undefined);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe.each(brokers)('bridge on %s', (name, startBroker) => {
  let broker: TestBroker;
  beforeAll(async () => { broker = await startBroker(); });
  afterAll(async () => { await broker?.stop(); });

  test('birth, retained state, telemetry summaries and faults of working pens; allowed commands answered, all others refused', async () => {
    const watcher = await Watcher.connect(broker.url, { version: name === 'mosquitto' ? 5 : 4 });
    // two device-build pens worked on the pedal with faults injected, one bench-build pen nobody uses
    const worked = [21, 22].map((seed) => new SimPenPort({ seed, variant: 'voiceCoil', speed: 10, use: { runS: 3, pauseS: 1, faultEveryS: 4 } }));
    const idle = new SimPenPort({ seed: 23, variant: 'bench', speed: 10, activity: 'none' });
    const tb = startBridge(broker.url, [...worked, idle]);
    try {
      const serials = ['SIM-V-000021', 'SIM-V-000022'];
      const idleSerial = 'SIM-V-000023';
      await watcher.waitFor(() => serials.every((s) => watcher.of('faults', s).length >= 1 && watcher.of('telemetry', s).filter((m) => m.payload.strokes > 0).length >= 3),
        60000, 'telemetry and a fault from both worked pens');
      expect(tb.bridge.stats().mqtt).toBe(name === 'mosquitto' ? '5' : '3.1.1');
      for (const s of [...serials, idleSerial]) {
        const st = watcher.of('status', s).map((m) => m.payload.status);
        expect(st.slice(0, 2)).toEqual(['birth', 'online']);
        expect(watcher.of('info', s)[0]!.payload).toMatchObject({ serial: s, port: expect.stringMatching(/^sim:/), fw: expect.any(String) });
        expect(watcher.of('counters', s).length).toBeGreaterThanOrEqual(1);
      }
      for (const s of serials) {
        expect(watcher.of('info', s)[0]!.payload).toMatchObject({ drive: 'voiceCoil', cal: { status: 'ok' } });
        expect(watcher.of('calibration', s)[0]!.payload).toMatchObject({ status: 'ok', technician: 'sim technician', model: 'stroke', actuatorIdentified: true });
        // depth follows the setpoint within the calibration's accuracy while the pen runs whole windows
        const full = watcher.of('telemetry', s).map((m) => m.payload).filter((p) => p.state === 'RUNNING' && p.windowS > 0.99 && p.strokes > 50);
        expect(full.length).toBeGreaterThanOrEqual(2);
        expect(median(full.map((p) => p.depthRmsErrMm))).toBeLessThan(0.05);
        for (const p of full) expect(Math.abs(p.rate - p.rateSet) / p.rateSet).toBeLessThan(0.1);
        const faults = watcher.of('faults', s).map((m) => m.payload);
        expect(faults[0]).toMatchObject({ serial: s, n: 1, source: 'event', name: FAULT_NAMES[faults[0].code] });
        expect(['CARTRIDGE_REMOVED', 'SENSOR_RANGE', 'JAM']).toContain(faults[0].name);
      }
      expect(watcher.of('calibration', idleSerial)[0]!.payload).toMatchObject({ status: 'ok', technician: 'bench' });
      expect(watcher.of('bridgeStatus').at(-1)!.payload).toMatchObject({ status: 'online', queue: { limit: 10000, overflowed: 0 } });

      // a subscriber that comes later gets the retained state
      const late = await Watcher.connect(broker.url);
      await late.waitFor(() => ['status', 'info', 'counters', 'calibration'].every((k) => late.of(k, serials[0]).length > 0), 5000, 'retained topics');
      for (const k of ['status', 'info', 'counters', 'calibration']) expect(late.of(k, serials[0])[0]!.retain).toBe(true);
      expect(late.of('status', serials[0])[0]!.payload.status).toBe('online');
      await late.close();

      // commands: MQTT 5 properties where the broker speaks 5, the body fallback everywhere, the default reply topic
      const vias = name === 'mosquitto' ? (['v5', 'body', 'default'] as const) : (['body', 'default'] as const);
      for (const via of vias) {
        const info = await watcher.command(idleSerial, 'info', via);
        expect(info).toMatchObject({ ok: true, command: 'info', serial: idleSerial, result: { info: { serial: idleSerial, drive: 'bench' }, status: { state: 'READY' } } });
        expect(info.correlation).toEqual(expect.any(String));
      }
      expect(await watcher.command(idleSerial, 'counters', 'body')).toMatchObject({ ok: true, result: { faults: 0 } });
      expect(await watcher.command(serials[0]!, 'faultLog', 'body')).toMatchObject({ ok: true, result: { faults: expect.arrayContaining([expect.objectContaining({ code: expect.any(Number) })]) } });
      const calBefore = watcher.of('calibration', idleSerial).length;
      const cal = await watcher.command(idleSerial, 'publishCalibration', 'body');
      expect(cal).toMatchObject({ ok: true, result: { serial: idleSerial, status: 'ok' } });
      await watcher.waitFor(() => watcher.of('calibration', idleSerial).length > calBefore, 5000, 'a fresh calibration summary');

      // everything else is refused, and changes nothing on the pen (a bench build would start on runStart)
      const configBefore = await idle.session!.run(idle.session!.client.getConfig());
      const refusedNames = [...REQUEST_IDS.filter((id) => !['hello'].includes(id)), 'start', 'run', 'config', 'calibrate', 'service', 'INFO', 'info2'];
      const refusals = await Promise.all(refusedNames.map((cmd) => watcher.command(idleSerial, cmd, 'body', cmd === 'runStart' ? { args: { depth: 1, rate: 100, maxS: 5 } } : {})));
      refusedNames.forEach((cmd, i) => expect(refusals[i]).toMatchObject({ ok: false, command: cmd, error: { code: 'NOT_ALLOWED' } }));
      expect(await watcher.command(idleSerial, 'hello', 'body')).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
      const st = await idle.session!.run(idle.session!.client.status());
      expect(st).toMatchObject({ state: 'READY', running: false, fault: 0 });
      expect(await idle.session!.run(idle.session!.client.getConfig())).toEqual(configBefore);
      expect(watcher.of('telemetry', idleSerial).every((m) => m.payload.strokes === 0)).toBe(true);
      // malformed requests: typed errors, and no reply into the pens' own topics
      expect(await watcher.command(idleSerial, 'counters', 'body', { args: { reset: true } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      const faultsBefore = watcher.of('faults', idleSerial).length;
      await watcher.client.publishAsync(watcher.topics.command(idleSerial, 'counters'), JSON.stringify({ replyTo: watcher.topics.pen(idleSerial, 'faults'), correlation: 'spoof' }), { qos: 1 });
      await watcher.waitFor(() => watcher.all.some((m) => m.kind === 'reply' && m.payload?.correlation === 'spoof'), 5000, 'the refused reply');
      const spoof = watcher.all.find((m) => m.kind === 'reply' && m.payload?.correlation === 'spoof')!;
      expect(spoof.topic).toBe(watcher.topics.defaultReply(idleSerial, 'counters'));
      expect(spoof.payload).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(watcher.of('faults', idleSerial).length).toBe(faultsBefore);
      expect(tb.bridge.stats().commands.refused).toBe(refusedNames.length + 1);
      if (name === 'mosquitto') {
        // a 3.1.1 client on the same MQTT 5 bridge uses the body fallback
        const old = await Watcher.connect(broker.url, { version: 4 });
        expect(await old.command(idleSerial, 'counters', 'body')).toMatchObject({ ok: true });
        expect(await old.command(idleSerial, 'setLimit', 'body')).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
        await old.close();
      }
      expect(tb.bridge.stats().invalid).toBe(0);
      // a clean stop: every pen offline, then the bridge
      await tb.close();
      const last = (s: string) => watcher.of('status', s).at(-1)?.payload;
      await watcher.waitFor(() => [...serials, idleSerial].every((s) => last(s)?.status === 'offline') && watcher.of('bridgeStatus').at(-1)?.payload.status === 'offline', 5000, 'offline statuses');
      expect(last(serials[0]!)).toMatchObject({ status: 'offline', reason: 'bridge stopped', session: 1 });
      expect(watcher.of('bridgeStatus').at(-1)!.payload).toMatchObject({ status: 'offline', reason: 'stopped', pens: [] });
      expect(watcher.invalid).toEqual([]);
    } finally {
      // the watcher too when the bridge's close throws: a client left reconnecting fires into the next test file
      await tb.close().finally(() => watcher.close());
    }
  });

  test('broker outage: killed mid-run and restarted on the same port; no fault lost, order kept; telemetry dropped and counted', async () => {
    const watcherId = `watch-outage-${name}`;
    const watcher = await Watcher.connect(broker.url, { clientId: watcherId, clean: false });
    const pens = [
      ...[21, 22].map((seed) => new SimPenPort({ seed, variant: 'voiceCoil', speed: 20, use: { runS: 2, pauseS: 0.5, faultEveryS: 1.5 } })),
      new SimPenPort({ seed: 24, variant: 'bench', speed: 20, use: { runS: 2, pauseS: 0.5, faultEveryS: 1.5 } }),
    ];
    const tb = startBridge(broker.url, pens);
    const bridge = tb.bridge;
    const published = (): number => bridge.agents.reduce((a, g) => a + g.faultsPublished, 0);
    const received = (): number => new Set(watcher.of('faults').map((m) => `${m.serial}#${m.payload.n}`)).size;
    const missing = (): string[] => bridge.agents.flatMap((a) => {
      const got = new Set(watcher.of('faults', a.serial).map((m) => m.payload.n as number));
      return Array.from({ length: a.faultsPublished }, (_, i) => i + 1).filter((n) => !got.has(n)).map((n) => `${a.serial}#${n}`);
    });
    try {
      await watcher.waitFor(() => bridge.agents.every((a) => a.faultsPublished >= 2), 60000, 'two faults from every pen');
      // mosquitto keeps the watcher's session across the crash only if it saved it since the
      // subscription (its autosave can come 2 s later: the faults the bridge sent on its
      // return went to nobody when it had not)
      await broker.save();
      // crash it at a moment when everything acknowledged has also been delivered to the watcher
      await watcher.waitFor(() => bridge.backlog === 0 && received() === published(), 10000, 'a quiet moment');
      const killed = broker.kill();
      const atKill = published();
      await killed;
      await watcher.waitFor(() => published() >= atKill + 6, 20000, 'faults while the broker is away');
      const away = bridge.stats();
      expect(away.connected).toBe(false);
      expect(away.queue.pending).toBeGreaterThanOrEqual(6);
      expect(away.telemetryDropped).toBeGreaterThan(0);
      // Aedes forgets sessions: hold the bridge back until the watcher has subscribed again
      const back = name === 'aedes' ? (broker as AedesBroker).subscribed(watcherId) : Promise.resolve();
      const gate = await broker.restart('stipple-bridge-');
      await back;
      gate.release();
      const atRestart = published();
      await watcher.waitFor(() => bridge.stats().connected && published() >= atRestart + 3 && bridge.backlog === 0 && received() === published(), 30000, 'the queue delivered and more faults after the restart',
        () => `connected ${bridge.stats().connected}, published ${published()} (${atRestart} at the restart, ${atKill} at the kill), received ${received()}, backlog ${bridge.backlog}; missing ${missing().join(' ') || 'none'}`);
      for (const p of pens) p.freeze();
      await tb.close();
      for (const a of bridge.agents) {
        const ns = watcher.of('faults', a.serial).map((m) => m.payload.n as number);
        // every fault arrived, first arrivals in the order they latched (QoS 1 may repeat one)
        expect(firstArrivals(ns)).toEqual(Array.from({ length: a.faultsPublished }, (_, i) => i + 1));
        const st = watcher.of('status', a.serial).filter((m) => !m.retain).map((m) => m.payload.status); // not the last test's retained one
        expect(st.slice(0, 2)).toEqual(['birth', 'online']);
        expect(st.slice(2)).toContain('online'); // published again after the restart (the broker may have lost it)
      }
      const after = watcher.of('bridgeStatus').map((m) => m.payload).filter((p) => p.reconnects >= 1);
      expect(after.length).toBeGreaterThan(0);
      expect(after[0]).toMatchObject({ status: 'online', queue: { overflowed: 0 } });
      expect(after.at(-1)!.telemetryDropped).toBeGreaterThanOrEqual(away.telemetryDropped);
      expect(tb.lines.some((l) => l.includes('lost the broker'))).toBe(true);
      expect(bridge.stats().queue).toMatchObject({ pending: 0, overflowed: 0 });
      expect(watcher.invalid).toEqual([]);
    } finally {
      // the watcher too when the bridge's close throws: a client left reconnecting fires into the next test file
      await tb.close().finally(() => watcher.close());
    }
  });
});
