// A stepper pen's calibration by the technician's routine (`calibratePen`, the library
// behind `stipple calibrate`; docs/calibration.md, "Stepper") against the virtual pen's own
// rig: the Hall sensor and the depth stage from strokes captured at three stage positions
// and the rig's per-stroke bottoms, the cam from its index, the loop gain derived from the
// identified stage, verified on the phantom. Nothing reads the simulator's parameters.
// The record is not written here: the caller writes it (in SERVICE, where this leaves the pen).
import type { Calibration } from '@stipple/protocol';
import { calibratePen, SimGauge } from '@stipple/host-tools/calibration';
import type { SimPenConnection } from '@stipple/host-tools/sim/connect-sim-pen';

export async function stepperCalibrationOnSim(c: SimPenConnection): Promise<Calibration> {
  const { link, client, pen } = c;
  const r = await calibratePen({
    client, run: (p) => link.run(p), clock: link.clock, gauge: new SimGauge(pen.hardware), secret: pen.secret,
    technician: 'hil', date: new Date('2026-03-01T00:00:00Z'), write: false, tool: 'hil-tests/support/stepper-calibration.ts',
  });
  await link.run(client.enterService(pen.secret));
  return r.calibration;
}
