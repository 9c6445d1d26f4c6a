// A stepper pen's calibration from what a technician's tool has: the SERVICE primitives
// (capture: the stage at a level, the cam turning, one stroke of Hall samples) and the
// depth rig's per-stroke output (the virtual gauge's bottom of stroke). Two stage levels
// give the Hall line (raw bottom of stroke against the gauge) and the stage line (gauge
// bottom against stage steps: steps/mm and the depth at home). Cam steps per revolution
// and lobes are the design's (docs/hardware.md); the runs' stroke rate confirms them.
// Nothing reads the simulator's parameters.
import type { Calibration } from '@stipple/protocol';
import type { SimPenConnection } from '@stipple/host-tools/sim/connect-sim-pen';

/** Stage span of the capture primitive's level 0..1, steps (firmware STAGE_HOLD_STEPS). */
const HOLD_STEPS = 4800;
const RATE = 100;
const N = 64;

/** Raw bottom of one captured stroke: a least-squares parabola through the samples around the highest (noise down, sub-sample peak). */
function bottomRaw(samples: number[]): number {
  let i = 0;
  for (let k = 1; k < samples.length; k++) if (samples[k] > samples[i]) i = k;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, y0 = 0, y1 = 0, y2 = 0;
  for (let d = -4; d <= 4; d++) {
    const y = samples[(i + d + samples.length) % samples.length];
    s0 += 1; s1 += d; s2 += d * d; s3 += d * d * d; s4 += d * d * d * d; y0 += y; y1 += d * y; y2 += d * d * y;
  }
  // normal equations of y = a + b·d + c·d² (symmetric window: s1 = s3 = 0)
  const c = (y2 * s0 - y0 * s2) / (s4 * s0 - s2 * s2);
  const a = (y0 - c * s2) / s0;
  const b = y1 / s2;
  return c < 0 ? a - (b * b) / (4 * c) : a;
}

export async function stepperCalibrationOnSim(c: SimPenConnection): Promise<Calibration> {
  const { link, client, pen, info } = c;
  await link.run(client.enterService(pen.secret));
  pen.hardware.conditions.setSkin('air');
  const points: { steps: number; raw: number; mm: number }[] = [];
  for (const level of [0.35, 0.75]) {
    const raws: number[] = [];
    const mms: number[] = [];
    for (let k = 0; k < 3; k++) {
      const cap = await link.run(client.capture(RATE, level, N));
      raws.push(bottomRaw(cap.samples) / 65535);
      // the rig's strokes while the pen settled for the capture (stage arrived, cam at speed)
      for (const r of pen.hardware.gauge.strokes(link.now - 0.15)) if (r.time < link.now - 0.01) mms.push(r.bottomMm);
    }
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    points.push({ steps: Math.round(level * HOLD_STEPS), raw: mean(raws), mm: mean(mms) });
  }
  const [p, q] = points;
  const mmPerUnit = (q.mm - p.mm) / (q.raw - p.raw);
  const stepsPerMm = (q.steps - p.steps) / (q.mm - p.mm);
  await link.run(client.stopRun());
  pen.hardware.conditions.setSkin('normal');
  return {
    hall: { offset: p.raw - p.mm / mmPerUnit, mmPerUnit },
    stage: { stepsPerMm, depthAtHome: p.mm - p.steps / stepsPerMm, stepsPerRev: 400, lobes: 3 },
    gains: { kp: 0, ki: 0.5 },
    meta: { technician: 'hil', gaugeId: 'SIM-RIG', date: '2026-03-01', firmware: info.fw, serial: info.serial },
  };
}
