// calibratedSimPen: the first pen of a seed is calibrated by the routine; a second pen of
// the same seed gets that record through the protocol (no second calibration) and holds
// depth as well as the first; a different seed is calibrated afresh.
import { calibratedSimPen, clearCalibrationCache } from '@stipple/host-tools/sim/calibrated-sim-pen';
import type { CalibratedSimPen } from '@stipple/host-tools/sim/calibrated-sim-pen';

/** A SERVICE host run at 1.0 mm / 100 strokes/s in the pen's skin: mean true bottom of stroke over 0.4 s after 0.5 s. */
async function meanDepthMm(c: CalibratedSimPen): Promise<number> {
  await c.link.run(c.client.enterService(c.pen.secret));
  await c.link.run(c.client.startRun({ depth: 1.0, rate: 100, maxS: 10 }));
  await c.link.advance(0.5);
  const from = c.link.now;
  await c.link.advance(0.4);
  await c.link.run(c.client.stopRun());
  const s = c.pen.hardware.gauge.strokes(from);
  expect(s.length).toBeGreaterThan(30);
  return s.reduce((a, r) => a + r.bottomMm, 0) / s.length;
}

afterAll(() => clearCalibrationCache());

test('same seed: the second pen gets the routine\'s record through the protocol, not a second calibration', async () => {
  const a = await calibratedSimPen({ seed: 5, skin: { type: 'firm' } });
  let b: CalibratedSimPen | undefined;
  try {
    expect(a.fromCache).toBe(false);
    expect(a.result.report.ok).toBe(true);
    expect(a.pen.hardware.conditions.tissue()).toBe('firm');
    b = await calibratedSimPen({ seed: 5 });
    expect(b.fromCache).toBe(true);
    expect(b.calibration).toEqual(a.calibration);
    expect(b.link.now).toBeLessThan(2); // no 13 s calibration on this pen
    const back = await b.link.run(b.client.calRead());
    expect([back.status, back.cal]).toEqual(['ok', a.calibration]);
    const st = await b.link.run(b.client.status());
    expect([st.fault, st.service]).toEqual([0, false]);
    for (const c of [a, b]) expect(Math.abs((await meanDepthMm(c)) - 1.0) * 1000).toBeLessThanOrEqual(20);
    const other = await calibratedSimPen({ seed: 6 });
    expect(other.fromCache).toBe(false);
    expect(other.calibration.meta.serial).not.toBe(a.calibration.meta.serial);
    await other.close();
  } finally {
    await a.close();
    await b?.close();
  }
}, 60000);
