// The real firmware bundle (firmware/dist/stipple.js, byte for byte) on the virtual
// board with the simulated hardware: it boots on every board profile and drive variant,
// and a factory-fresh pen (no calibration) latches UNCALIBRATED, shows the fault on the
// LED and never drives the needle, even when the practitioner presses run. The bundles
// of one drive (stipple-voice-coil.js, stipple-stepper.js) do the same on their drive's
// pens; on the MDBT42Q, whose Storage holds stipple.js but not the records' margin beside a
// calibrated pen's records (docs/hardware.md "Storage"), a calibrated pen of each drive runs
// its own bundle with that margin to spare.
import { readFileSync } from 'fs';
import { VirtualPen, FIRMWARE_BUNDLE, variantBundle } from '@stipple/host-tools/sim/virtual-pen';
import { calibratedSimPen } from '@stipple/host-tools/sim/calibrated-sim-pen';
import { RECORD_MARGIN } from '@stipple/host-tools/flash/flash-plan';

describe('firmware on the virtual board', () => {
  // as a pen stores it: pretokenised (firmware/tools/pretokenise.mjs), which is what lets it
  // fit the MDBT42Q's 10 x 4 KB beside its records
  const combined = readFileSync(FIRMWARE_BUNDLE, 'latin1');
  const own = { voiceCoil: readFileSync(variantBundle('voiceCoil'), 'latin1'), stepper: readFileSync(variantBundle('stepper'), 'latin1') };
  const cases = [] as { board: 'PICO' | 'WIFI' | 'MDBT42Q' | 'ESP32'; variant: 'voiceCoil' | 'stepper'; which: string; bundle: string }[];
  for (const board of ['PICO', 'WIFI', 'MDBT42Q', 'ESP32'] as const) {
    for (const variant of ['voiceCoil', 'stepper'] as const) cases.push({ board, variant, which: 'stipple.js', bundle: combined });
  }
  for (const board of ['PICO', 'MDBT42Q'] as const) {
    for (const variant of ['voiceCoil', 'stepper'] as const) cases.push({ board, variant, which: `its ${variant} bundle`, bundle: own[variant] });
  }

  for (const { board, variant, which, bundle } of cases) {
    it(`${board} ${variant}, ${which}: boots without error and refuses to run uncalibrated`, () => {
      const pen = new VirtualPen({ seed: 11, board, variant, bundle });
      expect(pen.board.storage.read('.bootcde')).toBe(bundle);
      pen.powerOn();
      pen.runFor(1);
      expect(pen.board.uncaughtErrors).toEqual([]);
      pen.hardware.handset.press('BTN_RUN', 200);
      pen.runFor(2);
      expect(pen.board.uncaughtErrors).toEqual([]);
      expect(pen.board.resets.filter((r) => r.reason !== 'power-on')).toEqual([]);
      // UNCALIBRATED is fault class 7: red blinks, never green
      const colours = new Set(pen.hardware.leds.history().filter((l) => l.time > 0.5).map((l) => `${l.r > 0 ? 1 : 0}${l.g > 0 ? 1 : 0}${l.b > 0 ? 1 : 0}`));
      expect(colours.has('100')).toBe(true);
      expect([...colours].some((c) => c[1] === '1')).toBe(false);
      // the needle never moved out of the cartridge
      expect(pen.hardware.gauge.protrusionMm()).toBeLessThan(0);
    });
  }

  for (const variant of ['voiceCoil', 'stepper'] as const) {
    it(`MDBT42Q ${variant}, its own bundle: calibrated on the rig, its records fit beside the bundle and a handset run holds depth`, async () => {
      const bundle = own[variant];
      // a stepper capture moves the stage there and home again: longer than the default reply timeout
      const c = await calibratedSimPen({ seed: 11, board: 'MDBT42Q', variant, variantBundle: true, cache: false, client: { timeoutMs: 4000 } });
      try {
        const { pen, link, client } = c;
        const storage = pen.board.storage;
        expect(storage.read('.bootcde')).toBe(bundle);
        // the calibration record was written (two slots of each record, as the firmware keeps them)
        expect(storage.list().filter((f) => f !== '.bootcde' && f !== 'hw').length).toBeGreaterThan(0);
        await link.run(client.setConfig({ preset: 1, depth: 1.0, rate: 100 }));
        const t0 = link.now;
        pen.hardware.handset.press('BTN_RUN', 80);
        await link.advance(3.0);
        expect((await link.run(client.status())).state).toBe('RUNNING');
        const s = pen.hardware.gauge.strokes(t0 + 2);
        const mean = s.reduce((a, r) => a + r.bottomMm, 0) / s.length;
        expect(Math.abs(mean - 1.0)).toBeLessThanOrEqual(0.05);
        pen.hardware.handset.press('BTN_RUN', 80);
        await link.advance(1.0);
        expect((await link.run(client.status())).state).toBe('READY');
        expect(pen.board.uncaughtErrors).toEqual([]);
        // what Storage holds besides its files (free once compacted) covers the margin \`stipple flash\`
        // keeps for the records (host-tools/src/flash/flash-plan.ts RECORD_MARGIN)
        const st = storage.getStats();
        // eslint-disable-next-line no-console
        console.log(`firmware-on-virtual-board: MDBT42Q calibrated ${variant} pen: ${st.fileBytes} of ${st.totalBytes} bytes of Storage in ${st.fileCount} files (bundle ${bundle.length}), ${st.totalBytes - st.fileBytes} for record rewrites, ${st.totalBytes - st.fileBytes - RECORD_MARGIN} above the ${RECORD_MARGIN}-byte floor`);
        expect(st.totalBytes - st.fileBytes).toBeGreaterThanOrEqual(RECORD_MARGIN);
      } finally {
        await c.close();
      }
    }, 120000);
  }
});
