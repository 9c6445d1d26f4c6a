// calibratePen on the real firmware bundle on a virtual pen (sim gauge): a full
// calibration writes a verified record, the pen then holds depth on the handset; a
// recalibration keeps the previous record for restore; failed checks, Ctrl-C and a lost
// link write nothing and leave the pen safe.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectSimPen } from '@stipple/host-tools/sim/connect-sim-pen';
import type { SimPenConnection } from '@stipple/host-tools/sim/connect-sim-pen';
import { calibratePen, CalibrationError, restoreCalibration, SimGauge, writeReportFiles } from '@stipple/host-tools/calibration';
import type { CalibratePenOptions } from '@stipple/host-tools/calibration';

const opts = (c: SimPenConnection, more: Partial<CalibratePenOptions> = {}): CalibratePenOptions => ({
  client: c.client, run: (p) => c.link.run(p), clock: c.link.clock, gauge: new SimGauge(c.pen.hardware), secret: c.pen.secret,
  technician: 'A. Tech', date: new Date('2026-03-01T10:00:00Z'), ...more,
});

/** A practitioner's run on the handset at `depth`/`rate` in the normal skin: mean bottom of stroke (gauge) after it settles. */
async function handsetRun(c: SimPenConnection, depth: number, rate: number): Promise<{ meanMm: number; strokes: number; state: string }> {
  const { pen, link, client } = c;
  await link.run(client.setConfig({ preset: 2, depth, rate }));
  pen.hardware.conditions.setSkin('normal');
  pen.hardware.handset.press('BTN_RUN', 80);
  await link.advance(0.6);
  const from = link.now;
  await link.advance(0.5);
  const s = pen.hardware.gauge.strokes(from);
  const state = (await link.run(client.status())).state;
  pen.hardware.handset.press('BTN_RUN', 80);
  await link.advance(0.2);
  return { meanMm: s.reduce((a, r) => a + r.bottomMm, 0) / s.length, strokes: s.length, state };
}

test('a full calibration: verified, written, read back, certificate; the pen then holds depth on the handset', async () => {
  const c = await connectSimPen({ seed: 3 });
  const dir = mkdtempSync(path.join(tmpdir(), 'stipple-cal-'));
  try {
    const steps: string[] = [];
    const r = await calibratePen(opts(c, { onProgress: (e) => { if (steps[steps.length - 1] !== e.step) steps.push(e.step); } }));
    expect(steps).toEqual(['precheck', 'sensor', 'actuator', 'stroke', 'verify', 'write']);
    expect(r.report.ok).toBe(true);
    expect(r.report.deviceTimeS).toBeLessThanOrEqual(20);
    expect(r.report.verification!.points).toHaveLength(9);
    expect(r.report.verification!.worstUm).toBeLessThanOrEqual(20);
    const back = await c.link.run(c.client.calRead());
    expect(back.status).toBe('ok');
    expect(back.cal).toEqual(r.calibration);
    expect(r.calibration.meta).toEqual({ technician: 'A. Tech', gaugeId: 'SIM-RIG', date: '2026-03-01T10:00:00Z', firmware: c.info.fw, serial: c.info.serial });
    const st = await c.link.run(c.client.status());
    expect(st.fault).toBe(0); // UNCALIBRATED cleared
    expect(st.service).toBe(false);
    const f = writeReportFiles(dir, r.report, r.samples);
    const html = readFileSync(f.html, 'utf8');
    expect(html).toContain('PASS');
    expect((html.match(/<svg /g) ?? []).length).toBe(5);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // self-contained
    expect(JSON.parse(readFileSync(f.json, 'utf8')).calibration).toEqual(r.calibration);
    expect(readFileSync(f.csv, 'utf8').split('\n').length).toBeGreaterThan(2000);

    for (const [depth, rate] of [[1.2, 100], [0.9, 60]]) {
      const run = await handsetRun(c, depth, rate);
      expect(run.state).toBe('RUNNING');
      expect(run.strokes).toBeGreaterThan(20);
      expect(Math.abs(run.meanMm - depth) * 1000).toBeLessThanOrEqual(20);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await c.close();
  }
}, 60000);

test('a recalibration keeps the previous record, and --restore brings it back', async () => {
  const c = await connectSimPen({ seed: 8 });
  try {
    const first = await calibratePen(opts(c));
    const second = await calibratePen(opts(c, { date: new Date('2026-04-01T09:00:00Z'), technician: 'B. Tech' }));
    expect(second.report.precheck!.previous.cal).toEqual(first.calibration);
    // a calibrated pen checks every position against its hard limit: the end stop is not probed
    expect(second.report.sensor!.extendedStop).toBeNull();
    expect(second.report.sensor!.stopNote).toMatch(/limit/);
    expect(Math.abs(second.calibration.hall.mmPerUnit / first.calibration.hall.mmPerUnit - 1)).toBeLessThan(0.005);
    const r = await restoreCalibration({ client: c.client, run: (p) => c.link.run(p), secret: c.pen.secret });
    expect(r.before).toEqual(second.calibration);
    expect(r.restored).toEqual(first.calibration);
    expect((await c.link.run(c.client.calRead())).cal).toEqual(first.calibration);
    expect((await c.link.run(c.client.status())).service).toBe(false);
  } finally {
    await c.close();
  }
}, 60000);

async function expectNothingWrittenAndSafe(c: SimPenConnection): Promise<void> {
  await c.link.advance(0.3);
  const st = await c.link.run(c.client.status());
  expect(st.service).toBe(false);
  expect(st.running).toBe(false);
  expect((await c.link.run(c.client.calRead())).status).toBe('missing');
  expect(c.pen.hardware.gauge.protrusionMm()).toBeLessThan(-0.6); // needle retracted, drive off
}

test('a noisy Hall sensor fails the sensor step with its reason; nothing is written', async () => {
  const c = await connectSimPen({ seed: 3 });
  try {
    c.pen.hardware.faults.inject('hallNoisy', { sigmaFs: 0.004 });
    const e = await calibratePen(opts(c)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CalibrationError);
    expect((e as CalibrationError).step).toBe('sensor');
    expect((e as CalibrationError).message).toMatch(/Hall noise .* check the sensor cable/);
    expect((e as CalibrationError).penSafe).toBe(true);
    await expectNothingWrittenAndSafe(c);
  } finally {
    await c.close();
  }
}, 60000);

test('no cartridge: the pre-check says so and nothing moves', async () => {
  const c = await connectSimPen({ seed: 3 });
  try {
    c.pen.hardware.handset.removeCartridge();
    await c.link.advance(0.1);
    const e = (await calibratePen(opts(c)).catch((x: unknown) => x)) as CalibrationError;
    expect(e.step).toBe('precheck');
    expect(e.message).toMatch(/no cartridge/);
  } finally {
    await c.close();
  }
}, 60000);

test('Ctrl-C (abort) mid-identification: the run stops, SERVICE is left, nothing is written', async () => {
  const c = await connectSimPen({ seed: 3 });
  try {
    const ac = new AbortController();
    const e = (await calibratePen(opts(c, { signal: ac.signal, onProgress: (p) => { if (p.step === 'actuator' && p.fraction > 0.3) ac.abort(); } })).catch((x: unknown) => x)) as CalibrationError;
    expect(e).toBeInstanceOf(CalibrationError);
    expect(e.aborted).toBe(true);
    expect(e.step).toBe('actuator');
    expect(e.penSafe).toBe(true);
    await expectNothingWrittenAndSafe(c);
  } finally {
    await c.close();
  }
}, 60000);

test('a lost link during a hold: the pen stops itself (LINK_LOST) and keeps its old calibration', async () => {
  const c = await connectSimPen({ seed: 3 });
  try {
    const first = await calibratePen(opts(c));
    let cut = false;
    const e = (await calibratePen(opts(c, {
      onProgress: (p) => {
        if (p.step === 'sensor' && p.fraction > 0.3 && !cut) {
          cut = true;
          c.pen.board.console.setFaults({ lost: true });
        }
      },
    })).catch((x: unknown) => x)) as CalibrationError;
    expect(e).toBeInstanceOf(CalibrationError);
    expect(e.penSafe).toBe(false);
    expect(e.message).toMatch(/TIMEOUT|no reply/i);
    await c.link.advance(0.5);
    expect(c.pen.hardware.gauge.protrusionMm()).toBeLessThan(-0.6); // the pen dropped the hold
    c.pen.board.console.setFaults({ lost: false });
    const st = await c.link.run(c.client.getFaults());
    expect(st.faults.map((f) => f.code)).toContain(15); // LINK_LOST
    expect((await c.link.run(c.client.calRead())).cal).toEqual(first.calibration);
  } finally {
    await c.close();
  }
}, 60000);
