// The standard benchmark matrix (issue 4's depth-accuracy budget, issue 7's `stipple bench`):
// every combination of stroke rate, depth and tissue, on spread pens drawn from seeds 1…N,
// each run with hand-pressure wobble and a stiffness step half-way. `--quick` is a reduced
// matrix with short runs, for the test that checks the command reports every field.
import type { TissueType } from '../sim/physics/skin';
import type { PenVariant } from '../sim/physics/pen-hardware';

export type BenchSkin = Exclude<TissueType, 'air'>;

export interface BenchConditions {
  /** hand-pressure wobble of the skin surface relative to the cartridge tip */
  wobble: { amplitudeMm: number; freqHz: number };
  /** the tissue stiffness is multiplied by this at the stiffness step */
  stiffnessStep: number;
  /** seconds of run before the step, and after it */
  segmentS: number;
  /**
   * seconds from the run request to the first measured segment: 0 for the voice coil; the
   * stepper's depth stage first travels from home to depth (~1.4 mm/s) and its cam ramps up
   * (docs/control.md), which `startupS` reports instead
   */
  leadInS: number;
}

/** One matrix point: a pen (seed, variant) at one operating point in one tissue. */
export interface BenchPoint extends BenchConditions {
  variant: PenVariant;
  seed: number;
  rate: number;
  depthMm: number;
  skin: BenchSkin;
}

export interface BenchMatrix {
  rates: number[];
  depthsMm: number[];
  skins: BenchSkin[];
  seeds: number[];
  segmentS: number;
  wobbleAmplitudeMm: number;
  /** wobble frequencies are spread over this range across the matrix (1–5 Hz: the brief's hand) */
  wobbleHz: [number, number];
  /** stiffness step factor for odd seeds; even seeds step down by its inverse */
  stiffnessStep: number;
  /** the stepper's lead-in before the first segment, s (the voice coil has none) */
  stepperLeadInS: number;
}

export const FULL_MATRIX: Omit<BenchMatrix, 'seeds'> = {
  rates: [50, 100, 150],
  depthsMm: [0.5, 1.0, 1.5],
  skins: ['soft', 'normal', 'firm', 'scar'],
  segmentS: 1.5,
  wobbleAmplitudeMm: 0.2,
  wobbleHz: [1, 5],
  stiffnessStep: 1.5,
  stepperLeadInS: 2.5,
};

export const QUICK_MATRIX: Omit<BenchMatrix, 'seeds'> = {
  ...FULL_MATRIX,
  rates: [50, 150],
  depthsMm: [1.0],
  skins: ['normal', 'scar'],
  segmentS: 0.5,
};

export const DEFAULT_SEEDS = 8;

export function benchMatrix(quick: boolean, seeds: number): BenchMatrix {
  const m = quick ? QUICK_MATRIX : FULL_MATRIX;
  return { ...m, seeds: Array.from({ length: seeds }, (_, i) => i + 1) };
}

/** Every point of the matrix for one drive variant, in a fixed order (same matrix, same points). */
export function benchPoints(m: BenchMatrix, variant: PenVariant): BenchPoint[] {
  const out: BenchPoint[] = [];
  let k = 0;
  const [f0, f1] = m.wobbleHz;
  for (const seed of m.seeds) {
    for (const rate of m.rates) {
      for (const depthMm of m.depthsMm) {
        for (const skin of m.skins) {
          // five wobble frequencies cycled over the points, so each tissue and rate meets several
          const freqHz = f0 + ((f1 - f0) * (k++ % 5)) / 4;
          out.push({
            variant, seed, rate, depthMm, skin, segmentS: m.segmentS, leadInS: variant === 'stepper' ? m.stepperLeadInS : 0,
            wobble: { amplitudeMm: m.wobbleAmplitudeMm, freqHz },
            stiffnessStep: seed % 2 === 1 ? m.stiffnessStep : 1 / m.stiffnessStep,
          });
        }
      }
    }
  }
  return out;
}
