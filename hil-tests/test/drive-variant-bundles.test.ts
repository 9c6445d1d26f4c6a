// The bundles of one drive (firmware/dist/stipple-voice-coil.js, stipple-stepper.js, byte
// for byte) on the virtual pen: each is smaller than stipple.js because the other drive's
// code is gone, and each refuses to boot on a pen whose identity names the other drive,
// before it touches a pin, leaving the REPL up to flash the right one. (That each boots and
// runs on its own drive: firmware-on-virtual-board.test.ts.)
import { readFileSync, statSync } from 'fs';
import { PIN_MAPS } from '@stipple/firmware/boards/pin-maps';
import { PenClient } from '@stipple/host-tools/link';
import { bundleDrive } from '@stipple/host-tools/flash/firmware-variants';
import { bundleIdentity } from '@stipple/host-tools/flash/firmware-bundle';
import { SimLink } from '@stipple/host-tools/sim/sim-link';
import { FIRMWARE_BUNDLE, VirtualPen, variantBundle } from '@stipple/host-tools/sim/virtual-pen';

const combined = readFileSync(FIRMWARE_BUNDLE, 'latin1');
const own = { voiceCoil: readFileSync(variantBundle('voiceCoil'), 'latin1'), stepper: readFileSync(variantBundle('stepper'), 'latin1') };
/** Fault contexts of the stepper's motion sequences (firmware/src/app/stepper-drive.ts): stepper code only. */
const STEPPER_ONLY = ['probe: no cam index', 'stage: no home switch'];

describe('one bundle per drive', () => {
  it('each is smaller than stipple.js, names its drive in its version, and the voice-coil bundle has no stepper code', () => {
    const size = (f: string): number => statSync(f).size;
    expect(size(variantBundle('voiceCoil'))).toBeLessThan(size(FIRMWARE_BUNDLE));
    expect(size(variantBundle('stepper'))).toBeLessThan(size(FIRMWARE_BUNDLE));
    expect(bundleDrive(bundleIdentity(own.voiceCoil).fw)).toBe('voiceCoil');
    expect(bundleDrive(bundleIdentity(own.stepper).fw)).toBe('stepper');
    expect(bundleDrive(bundleIdentity(combined).fw)).toBeUndefined();
    for (const s of STEPPER_ONLY) {
      expect(combined).toContain(s);
      expect(own.stepper).toContain(s);
      expect(own.voiceCoil).not.toContain(s);
    }
  });

  for (const [built, pen] of [['voiceCoil', 'stepper'], ['stepper', 'voiceCoil']] as const) {
    it(`the ${built} bundle on a ${pen} pen refuses at boot, drives nothing, and its REPL stays up`, async () => {
      const p = new VirtualPen({ seed: 3, variant: pen, bundle: own[built] });
      const link = new SimLink(p);
      const client = new PenClient(link.transport, { clock: link.clock, seq: 1 });
      try {
        p.powerOn();
        await link.advance(0.5);
        p.hardware.handset.press('BTN_RUN', 200);
        await link.advance(1.5);
        const want = pen === 'stepper' ? 'stipple-stepper.js' : 'stipple-voice-coil.js';
        expect(p.board.uncaughtErrors.map((e) => e.message)).toEqual([
          expect.stringMatching(new RegExp(`this firmware drives ${built} pens only, this pen is a ${pen} pen: flash ${want.replace('.', '\\.')} or stipple\\.js`)),
        ]);
        // no pin of the pen was touched: the H-bridge or cam driver, the stage driver, the LED all at their reset state
        const touched = Object.entries(PIN_MAPS.PICO).filter(([, pin]) => {
          const s = p.board.pinState(pin);
          return s !== undefined && (s.mode !== 'input' || s.manual || s.value || s.freq !== 0 || s.duty !== 0);
        });
        expect(touched).toEqual([]);
        expect(Math.abs(p.hardware.drive.coilCurrentA())).toBeLessThan(1e-3);
        expect(p.hardware.gauge.protrusionMm()).toBeLessThan(0);
        // no firmware answers; the interpreter does, to flash the right bundle
        await expect(link.run(client.connect())).rejects.toMatchObject({ code: 'NAK' });
        expect(await link.run(client.evaluate('6*7'))).toBe('42');
      } finally {
        await client.close();
        await link.close();
      }
    });
  }
});
