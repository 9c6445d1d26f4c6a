// Open-loop characterisation of a simulated pen: what drive gives which bottom-of-stroke
// protrusion. Used by the tests and to write the tables in docs/simulator.md; a firmware
// author can use it to pick feed-forward values.

import { PIN_MAPS, type PinMap } from '../../../../firmware/src/boards/pin-maps';
import { createPenHardware, type PenHardwareOptions } from './pen-hardware';
import type { TissueType } from './skin';

export interface StrokeTrainResult {
  /** mean bottom-of-stroke protrusion over the measurement window, mm */
  bottomMm: number;
  minMm: number;
  maxMm: number;
  /** mean depth in tissue, mm */
  depthMm: number;
  strokes: number;
  /** fraction of strokes that punctured the skin */
  inSkinFraction: number;
  peakCurrentA: number;
}

export interface StrokeTrainOptions {
  rate: number;
  push: number;
  duty: number;
  tissue?: TissueType;
  seed?: number;
  spread?: boolean;
  settleS?: number;
  measureS?: number;
  pins?: PinMap;
  extra?: Partial<PenHardwareOptions>;
}

/** Voice coil: run a stroke train open loop and average the strokes after settling. */
export function strokeTrain(o: StrokeTrainOptions): StrokeTrainResult {
  const pins = o.pins ?? PIN_MAPS.PICO;
  const hw = createPenHardware({
    seed: o.seed ?? 1,
    variant: 'voiceCoil',
    spread: o.spread ?? false,
    pins,
    skin: { type: o.tissue ?? 'normal', randomWalk: false },
    ...(o.extra ?? {}),
  });
  hw.setPinDrive(pins.DRIVE_PWM, { kind: 'pwm', duty: o.duty, freq: 20000 });
  hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'pwm', duty: o.push, freq: o.rate });
  const settle = o.settleS ?? 0.15;
  const end = settle + (o.measureS ?? 0.15);
  hw.advance(end);
  const s = hw.traces.strokes(settle);
  const n = Math.max(1, s.length);
  let sum = 0;
  let depth = 0;
  let inSkin = 0;
  let peak = 0;
  let mn = Infinity;
  let mx = -Infinity;
  for (const r of s) {
    sum += r.bottomMm;
    depth += r.depthInTissueMm;
    if (r.inSkin) inSkin++;
    peak = Math.max(peak, r.peakCurrentA);
    mn = Math.min(mn, r.bottomMm);
    mx = Math.max(mx, r.bottomMm);
  }
  return { bottomMm: sum / n, minMm: mn, maxMm: mx, depthMm: depth / n, strokes: s.length, inSkinFraction: inSkin / n, peakCurrentA: peak };
}

/** Voice coil: the DRIVE_PWM duty that gives `targetMm` bottom-of-stroke (bisection; NaN if out of reach with duty ≤ 1). */
export function dutyForBottom(targetMm: number, o: Omit<StrokeTrainOptions, 'duty'>): number {
  let lo = 0;
  let hi = 1;
  if (strokeTrain({ ...o, duty: hi }).bottomMm < targetMm) return NaN;
  for (let k = 0; k < 14; k++) {
    const mid = 0.5 * (lo + hi);
    if (strokeTrain({ ...o, duty: mid }).bottomMm < targetMm) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

if (require.main === module) {
  for (const tissue of ['air', 'normal'] as const) {
    for (const push of [0.3, 0.45, 0.6]) {
      const row = [50, 100, 150].map((rate) => dutyForBottom(1.0, { rate, push, tissue }).toFixed(3));
      console.log(`${tissue} push ${push}: duty for 1.0 mm at 50/100/150 strokes/s = ${row.join(' / ')}`);
    }
  }
}
