// The stepper variant on the virtual pen, with the real firmware bundle: calibrated from
// the SERVICE primitives and the virtual gauge only (as a technician's tool would), a
// host-driven run and a practitioner's handset run both hold depth and stroke rate; the
// cam ramps up and down without losing a step; a retracted end of stroke below the Hall
// sensor's range is normal, a disconnected sensor is a fault. The depth stage is moved only
// from a known position and the cam turns only once it stands: a run asked while it homes
// waits (never past the hard limit); every stroke out of the cartridge lands at the set
// depth; a fault parks the cam at its retracted phase within 50 ms; a sensor fault clears
// once the sensor is back.
import { PIN_MAPS } from '@stipple/firmware/boards/pin-maps';
import { readFileSync } from 'fs';
import { connectSimPen } from '@stipple/host-tools/sim/connect-sim-pen';
import type { SimPenConnection } from '@stipple/host-tools/sim/connect-sim-pen';
import { FIRMWARE_BUNDLE } from '@stipple/host-tools/sim/virtual-pen';
import { stepperCalibrationOnSim } from '../support/stepper-calibration';
import type { TelemetryRecord } from '@stipple/protocol';

const bundle = readFileSync(FIRMWARE_BUNDLE, 'latin1');

/** The deepest stroke's bottom (gauge) in [from, to), mm. */
function deepest(c: SimPenConnection, from: number, to = Infinity): number {
  return c.pen.hardware.gauge.strokes(from).filter((r) => r.time < to).reduce((a, r) => Math.max(a, r.bottomMm), -Infinity);
}

/** The cam's driver pins (STEP, ENABLE) as the board drives them: '' when off. */
function camDrive(c: SimPenConnection): string {
  const why: string[] = [];
  for (const pin of [PIN_MAPS.PICO.DRIVE_PWM, PIN_MAPS.PICO.DRIVE_PHASE]) {
    const s = c.pen.board.pinState(pin);
    if (s && (s.mode.startsWith('af_') ? s.duty > 0 : s.mode !== 'input' && s.mode !== 'analog' && s.value)) why.push(pin);
  }
  return why.join(',');
}

/** Mean bottom of stroke (gauge) and stroke rate over [from, to). */
function strokesBetween(c: SimPenConnection, from: number, to: number): { meanMm: number; worstMm: number; rate: number; n: number } {
  const s = c.pen.hardware.gauge.strokes(from).filter((r) => r.time < to);
  const mean = s.reduce((a, r) => a + r.bottomMm, 0) / s.length;
  const worst = s.reduce((a, r) => Math.max(a, Math.abs(r.bottomMm - mean)), 0);
  const rate = (s.length - 1) / (s[s.length - 1].time - s[0].time);
  return { meanMm: mean, worstMm: worst, rate, n: s.length };
}

describe('stepper variant on the virtual pen', () => {
  let c: SimPenConnection;
  beforeAll(async () => {
    // a stepper capture moves the stage there and home again (~1.4 mm/s): longer than the default reply timeout
    c = await connectSimPen({ seed: 5, variant: 'stepper', bundle, client: { timeoutMs: 4000 } });
    const cal = await stepperCalibrationOnSim(c);
    await c.link.run(c.client.calWrite(cal));
    await c.link.run(c.client.clearFaults()); // UNCALIBRATED
  }, 60000);
  afterAll(async () => {
    await c.close();
  });

  it('a host-driven run in SERVICE holds a shallow depth and the rate (the retracted end is off the Hall scale); the cam loses no step', async () => {
    const { link, client, pen } = c;
    pen.hardware.conditions.setSkin('normal');
    await link.run(client.startRun({ depth: 0.5, rate: 120, maxS: 30 }));
    await link.advance(2.5);
    const t = link.now;
    // the retracted end of the stroke (0.5 − 2.5 mm) lies below the sensor's range (−1.5 mm)
    let barMin = Infinity;
    for (let i = 0; i < 20; i++) {
      await link.advance(0.0005);
      barMin = Math.min(barMin, pen.hardware.gauge.barMm());
    }
    expect(barMin).toBeLessThan(-1.8);
    await link.advance(1.0);
    const st = await link.run(client.status());
    expect(st.state).toBe('SERVICE');
    expect(st.running).toBe(true);
    const r = strokesBetween(c, t, link.now);
    expect(Math.abs(r.meanMm - 0.5) * 1000).toBeLessThanOrEqual(20);
    expect(Math.abs(r.rate / 120 - 1)).toBeLessThanOrEqual(0.005);
    await link.run(client.stopRun());
    await link.advance(0.05);
    // stopped: the cam parked at its retracted phase (the needle tip inside the cartridge, the
    // driver off) within 50 ms; the stage stays for the next run, in SERVICE too
    expect(pen.hardware.gauge.protrusionMm()).toBeLessThan(0);
    expect(camDrive(c)).toBe('');
    expect(pen.hardware.stepper.stageMm()).toBeGreaterThan(0.5);
    await link.advance(1.45);
    expect(pen.hardware.stepper.lostFullSteps()).toBe(0);
    // leaving SERVICE runs it home
    await link.run(client.leaveService());
    await link.advance(1.5);
    expect(pen.hardware.stepper.stageMm()).toBeLessThan(0.03);
    expect(pen.hardware.gauge.protrusionMm()).toBeLessThan(0);
  }, 60000);

  it('a handset run at 150 strokes/s holds depth and rate from a soft start, with no overshoot', async () => {
    const { link, client, pen } = c;
    await link.run(client.leaveService());
    await link.run(client.setConfig({ preset: 1, depth: 1.2, rate: 150 }));
    pen.hardware.conditions.setSkin('scar');
    const t0 = link.now;
    pen.hardware.handset.press('BTN_RUN', 80);
    await link.advance(3.0);
    const t = link.now;
    await link.advance(1.0);
    expect((await link.run(client.status())).state).toBe('RUNNING');
    const r = strokesBetween(c, t, link.now);
    expect(Math.abs(r.meanMm - 1.2) * 1000).toBeLessThanOrEqual(20);
    expect(Math.abs(r.rate / 150 - 1)).toBeLessThanOrEqual(0.005);
    // soft start: no stroke beyond the setpoint on the way in
    const first = pen.hardware.gauge.strokes(t0).filter((s) => s.time < t);
    expect(Math.max(...first.map((s) => s.bottomMm))).toBeLessThanOrEqual(1.2 + 0.02);
    pen.hardware.handset.press('BTN_RUN', 80);
    await link.advance(1.5);
    expect((await link.run(client.status())).state).toBe('READY');
    expect(pen.hardware.stepper.lostFullSteps()).toBe(0);
  }, 60000);

  it('SERVICE left mid-run and a new run asked while the stage homes: it waits for home, never past the limit', async () => {
    const { link, client, pen } = c;
    pen.hardware.conditions.setSkin('normal');
    await link.run(client.enterService(pen.secret));
    for (const gapS of [0.1, 1.0]) {
      await link.run(client.startRun({ depth: 1.8, rate: 120, maxS: 30 }));
      await link.advance(3.0);
      expect(deepest(c, link.now - 0.5)).toBeGreaterThan(1.78);
      await link.run(client.leaveService());
      await link.advance(gapS);
      await link.run(client.enterService(pen.secret));
      const t = link.now;
      await link.run(client.startRun({ depth: 1.0, rate: 120, maxS: 30 }));
      await link.advance(3.0);
      // the stage was still on its way home: the run started from where it really was
      expect(deepest(c, t)).toBeLessThanOrEqual(1.0 + 0.02);
      expect(Math.abs(deepest(c, link.now - 0.5) - 1.0)).toBeLessThanOrEqual(0.02);
      await link.run(client.stopRun());
      await link.advance(1.5);
    }
    // a stop leaves the stage out; leaving SERVICE runs it home
    await link.run(client.leaveService());
    await link.advance(1.5);
    expect(pen.hardware.stepper.stageMm()).toBeLessThan(0.03);
  }, 60000);

  it('a disconnected Hall sensor latches SENSOR_RANGE within a block; the stage goes home', async () => {
    const { link, client, pen } = c;
    pen.hardware.handset.press('BTN_RUN', 80);
    await link.advance(1.5);
    pen.hardware.faults.inject('hallDisconnected', { level: 'low' });
    await link.advance(0.1);
    const st = await link.run(client.status());
    expect(st.state).toBe('FAULT');
    expect(st.fault).toBe(1); // SENSOR_RANGE
    await link.advance(1.5);
    expect(pen.hardware.stepper.stageMm()).toBeLessThan(0.03);
    pen.hardware.faults.clear('hallDisconnected');
  }, 60000);

  it('strokes land at the set depth from the first one out of the cartridge; a fault parks the cam within 50 ms, then the stage homes', async () => {
    const { link, client, pen } = c;
    const hw = pen.hardware;
    await link.run(client.enterService(pen.secret));
    await link.run(client.clearFaults()); // the sensor test's SENSOR_RANGE, the sensor back
    await link.run(client.leaveService());
    await link.run(client.setConfig({ preset: 1, depth: 1.4, rate: 150 }));
    hw.conditions.setSkin('scar');
    await link.run(client.subscribeTelemetry({ every: 12, perStroke: true }));
    const tlm: { t: number; r: TelemetryRecord }[] = [];
    const off = client.onTelemetry((r) => tlm.push({ t: link.now, r }));
    const t0 = link.now;
    hw.handset.press('BTN_RUN', 80);
    await link.advance(2.5);
    off();
    await link.run(client.unsubscribeTelemetry());
    // no shallow dot while the stage moves (the cam waits, parked): every stroke out of the cartridge is at depth
    const out = hw.gauge.strokes(t0).filter((s) => s.bottomMm > 0);
    expect(out.length).toBeGreaterThan(100);
    for (const s of out) expect(Math.abs(s.bottomMm - 1.4)).toBeLessThanOrEqual(0.03);
    // telemetry while the stage travels and the cam ramps too: until the run's first record of
    // strokes, records that report no stroke (no depth, drive, in-skin, count or per-stroke
    // depths) with the cam's rate (parked 0, the probe's 19/s, the set rate once it turns);
    // then only records of strokes. From the press on, one at least every housekeeping tick
    // (12 strokes at 150/s: 0.08 s; the tick: 0.125 s). Before: none for ~1 s.
    const k = tlm.findIndex((x) => x.r.depthUm !== undefined);
    const early = tlm.slice(0, k);
    expect(early.length).toBeGreaterThan(3);
    expect(tlm.slice(k).every((x) => x.r.depthUm !== undefined && x.r.n === 12)).toBe(true);
    const firstOut = out[0]!.time;
    for (const { t, r } of early) {
      expect([r.n, r.inSkin, r.duty, r.depths]).toEqual([undefined, undefined, undefined, undefined]);
      expect([r.setUm, r.state]).toEqual([1400, 3]); // RUNNING
      expect(t < firstOut ? r.rate === 0 || r.rate === 19 : r.rate === 150).toBe(true);
    }
    let prev = t0;
    for (const x of tlm) {
      expect(x.t - prev).toBeLessThanOrEqual(0.2);
      prev = x.t;
    }
    hw.handset.removeCartridge();
    await link.advance(0.05);
    expect((await link.run(client.status())).state).toBe('FAULT');
    expect(hw.gauge.protrusionMm()).toBeLessThan(0);
    expect(camDrive(c)).toBe('');
    await link.advance(1.5);
    expect(hw.stepper.stageMm()).toBeLessThan(0.03);
    expect(hw.stepper.lostFullSteps()).toBe(0);
    hw.handset.insertCartridge();
    await link.advance(0.3);
  }, 60000);

  it('a sensor fault clears once the sensor is back (at rest it reads its rail); the next run checks it at home first', async () => {
    const { link, client, pen } = c;
    const hw = pen.hardware;
    await link.run(client.enterService(pen.secret));
    await link.run(client.clearFaults()); // the cartridge
    await link.run(client.leaveService());
    hw.conditions.setSkin('normal');
    hw.handset.press('BTN_RUN', 80);
    await link.advance(2.0);
    hw.faults.inject('hallDisconnected', { level: 'low' });
    await link.advance(0.1);
    expect((await link.run(client.status())).fault).toBe(1); // SENSOR_RANGE
    await link.advance(1.0);
    hw.faults.clear('hallDisconnected');
    hw.handset.hold('BTN_SPEED_DOWN');
    hw.handset.hold('BTN_DEPTH_DOWN');
    await link.advance(2.5);
    hw.handset.release('BTN_SPEED_DOWN');
    hw.handset.release('BTN_DEPTH_DOWN');
    await link.advance(0.1);
    expect((await link.run(client.status())).state).toBe('READY');
    const t = link.now;
    hw.handset.press('BTN_RUN', 80);
    await link.advance(2.5);
    expect((await link.run(client.status())).state).toBe('RUNNING');
    expect(Math.abs(deepest(c, link.now - 0.5) - 1.4)).toBeLessThanOrEqual(0.02);
    expect(deepest(c, t)).toBeLessThanOrEqual(1.4 + 0.02);
    hw.handset.press('BTN_RUN', 80);
    await link.advance(0.3);
  }, 60000);
});
