// runMqttBench end to end on a few pens (the figures themselves are `stipple bench --mqtt`'s
// to report, not a test's to judge): a real bridge process, mosquitto, every pen online,
// messages and latencies measured, the bridge's CPU and memory read from its stats.
import { findMosquitto } from '../../src/bridge/mosquitto-process';
import { renderMqttBench, runMqttBench } from '../../src/bridge/mqtt-bench';

const maybe = findMosquitto() ? test : test.skip;

maybe('runMqttBench measures a small fleet through mosquitto', async () => {
  const r = await runMqttBench({ pens: 4, seconds: 2, warmUpS: 0.5 });
  expect(r).toMatchObject({ pens: 4, pensOnline: 4, seconds: 2, telemetryDropped: 0 });
  // one summary per pen per second at least, each with a latency
  expect(r.telemetryPerS).toBeGreaterThanOrEqual(3);
  expect(r.latencyMs.samples).toBe(r.messages);
  expect(r.latencyMs.p50).toBeGreaterThan(0);
  expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.p50);
  expect(r.bridgeRssMb).toBeGreaterThan(20);
  expect(r.bridgeCpuPct).toBeGreaterThan(0);
  expect(renderMqttBench(r)).toMatch(/messages\/s +\d/);
});
