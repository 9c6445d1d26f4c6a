// The demo's library (runDemo) when something goes wrong on the pen: a needle jammed
// during the second preset latches JAM; the demo reports that preset's fault as its one
// failure line and stops there (a latched fault needs a person), the calibration intact.
import { readFileSync } from 'node:fs';
import { FIRMWARE_BUNDLE } from '@stipple/host-tools/sim/virtual-pen';
import type { VirtualPen } from '@stipple/host-tools/sim/virtual-pen';
import { runDemo } from '@stipple/host-tools/demo';

test('a fault during a preset run fails the demo with that fault, and it stops there', async () => {
  let pen: VirtualPen | undefined;
  let jamAt = 0;
  const r = await runDemo({
    seed: 5, bundle: readFileSync(FIRMWARE_BUNDLE, 'latin1'), secondsPerPreset: 2,
    prepare: (p) => { pen = p; },
    onPreset: (i) => {
      if (i !== 1) return;
      // the needle seizes 1 s into the second preset's run
      const hw = pen!.hardware;
      jamAt = hw.time() + 1;
      hw.faults.inject('jam', {}, jamAt);
    },
  });
  expect(jamAt).toBeGreaterThan(0);
  expect(r.ok).toBe(false);
  expect(r.calibration.ok).toBe(true);
  expect(r.presets).toHaveLength(2);
  expect(r.presets[0].pass).toBe(true);
  const p = r.presets[1];
  expect(p.pass).toBe(false);
  expect(p.faults.map((f) => f.name)).toContain('JAM');
  expect(p.stateAfter).toBe('FAULT');
  expect(r.failure).toMatch(/^preset density: fault JAM .*needs a person to clear it/);
  expect(r.failure.split('\n')).toHaveLength(1);
}, 60000);
