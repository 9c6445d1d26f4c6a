// The cam (stepper): steps per revolution and lobes, confirmed on the pen. During a capture
// the firmware drives the cam at STEP = rate / lobes × stepsPerRev with the values it knows
// (the calibration in force, else the design's 400 and 3: firmware/src/app/service-primitives.ts),
// and a stepper in step turns exactly with its field. So
//   - the index's revolution period P gives the true steps per revolution: P × STEP;
//   - the captured Hall samples span one commanded stroke period, 1/rate. If the cam makes
//     the strokes the pen expects they are one period of a periodic signal: a Fourier series
//     of whole harmonics fits them to the sensor's noise, the first harmonic strongest (two
//     strokes in the window: the second). A cam with other lobes puts a fraction of a stroke
//     in the window, which no such series fits. Lobes = (strokes in the window) × lobes used
//     × (steps/rev measured over used);
//   - a depth rig counts the strokes itself: their number over the gauge's window must match.
// Cam phase against the index is not measured: no primitive reports an index edge's time
// against a capture's samples, and the firmware does not use it (it finds each stroke's
// bottom in the Hall samples: docs/control.md).
import { solveLeastSquares } from './least-squares';

/** The design (docs/hardware.md): 200 full steps × ½ microstepping, a 3-lobe cam. */
export const CAM_DESIGN = { stepsPerRev: 400, lobes: 3 };
/** Harmonics of the periodic fit. */
const HARMONICS = 4;
/** Samples this close to either rail are off the sensor's range (the cam's retracted end sits on the rail). */
const RAIL_FS = 0.03;

export interface CamCheck {
  /** STEP frequency the firmware drove, Hz, and the steps/rev and lobes it used for it */
  stepHz: number;
  usedStepsPerRev: number;
  usedLobes: number;
  /** median revolution period, µs, over the reads taken */
  indexUs: number;
  reads: number;
  /** P × STEP, and the integer taken */
  stepsPerRevMeasured: number;
  stepsPerRev: number;
  /** the periodic fit of the deepest capture: rms residual over the stroke's span, and over the sensor's noise */
  periodicRelRms: number;
  periodicOverNoise: number;
  /** strongest harmonic of that fit: strokes in the capture's window */
  strokesInWindow: number;
  lobes: number;
  /** a depth rig's stroke count over its window, and what the lobes predict (null: the gauge does not count) */
  gaugeStrokes: { counted: number; expected: number } | null;
  /** cam phase against the index: not measured (see note) */
  phaseDeg: null;
  phaseNote: string;
}

export const CAM_PHASE_NOTE =
  'not measured: no SERVICE primitive reports the index edge time against a capture, and the firmware does not use the cam phase (it finds each stroke\'s bottom in the Hall samples)';

/** Why the cam check fails, or '' (with the figures in `out`). */
export function checkCam(
  o: {
    rate: number; indexUs: number[]; samples: readonly number[]; noiseFs: number; used: { stepsPerRev: number; lobes: number };
    /** a depth rig's count of strokes over a window of `windowMs` (null: a max-hold dial) */
    gaugeCount: { strokes: number; windowMs: number } | null;
  },
  out: (c: CamCheck) => void,
): string {
  const stepHz = (o.rate / o.used.lobes) * o.used.stepsPerRev;
  if (!o.indexUs.length) return 'no cam index while the cam turned: the index sensor is disconnected, or the cam did not turn (driver, ENABLE)';
  const sorted = [...o.indexUs].sort((a, b) => a - b);
  const indexUs = sorted[Math.floor(sorted.length / 2)];
  const spread = (sorted[sorted.length - 1] - sorted[0]) / indexUs;
  const measured = (indexUs / 1e6) * stepHz;
  const stepsPerRev = Math.round(measured);
  // whole harmonics of the capture's window, fitted to the samples within the sensor's range
  const n = o.samples.length;
  const j: number[] = [];
  for (let i = 0; i < n; i++) {
    const fs = o.samples[i] / 65535;
    if (fs > RAIL_FS && fs < 1 - RAIL_FS) j.push(i);
  }
  const ys = j.map((i) => o.samples[i] / 65535);
  const span = ys.length ? Math.max(...ys) - Math.min(...ys) : 0;
  let periodicRelRms = Infinity;
  let strokesInWindow = 0;
  if (j.length > 2 * HARMONICS + 4 && span > 0.05) {
    const rows = j.map((i) => {
      const r = [1];
      for (let h = 1; h <= HARMONICS; h++) r.push(Math.cos((2 * Math.PI * h * i) / n), Math.sin((2 * Math.PI * h * i) / n));
      return r;
    });
    const p = solveLeastSquares(rows, ys);
    const ss = rows.reduce((a, r, k) => a + (ys[k] - r.reduce((x, v, q) => x + v * p[q], 0)) ** 2, 0);
    periodicRelRms = Math.sqrt(ss / rows.length) / span;
    let best = 0;
    for (let h = 1; h <= HARMONICS; h++) {
      const amp = Math.hypot(p[2 * h - 1], p[2 * h]);
      if (amp > best) {
        best = amp;
        strokesInWindow = h;
      }
    }
  }
  const lobesExact = strokesInWindow * o.used.lobes * (measured / o.used.stepsPerRev);
  const lobes = Math.round(lobesExact);
  const gaugeStrokes = o.gaugeCount ? { counted: o.gaugeCount.strokes, expected: (o.gaugeCount.windowMs / indexUs) * 1000 * lobes } : null;
  const periodicOverNoise = (periodicRelRms * span) / o.noiseFs;
  out({
    stepHz, usedStepsPerRev: o.used.stepsPerRev, usedLobes: o.used.lobes, indexUs, reads: o.indexUs.length, stepsPerRevMeasured: measured, stepsPerRev,
    periodicRelRms, periodicOverNoise, strokesInWindow, lobes, gaugeStrokes, phaseDeg: null, phaseNote: CAM_PHASE_NOTE,
  });
  if (!Number.isFinite(periodicRelRms)) return `the captured stroke is mostly off the Hall sensor's range (${j.length} of ${n} samples in range): the Hall sensor or its magnet is out of place`;
  if (spread > 0.01) return `the cam's revolution period varied by ${(spread * 100).toFixed(1)} % at a steady STEP frequency: the cam is slipping (binding cam, low motor current)`;
  if (Math.abs(measured - stepsPerRev) > 0.01 * measured) return `the cam turned once per ${measured.toFixed(1)} steps, not a whole number: it loses steps (binding cam, low motor current)`;
  if (!(periodicOverNoise < 3 || periodicRelRms < 0.01) || Math.abs(lobesExact - lobes) > 0.05) {
    return `the captured strokes do not repeat at the stroke rate the pen drove (${o.rate}/s with ${o.used.lobes} lobes, ${o.used.stepsPerRev} steps/rev): the cam has another number of lobes, or it slips`;
  }
  if (gaugeStrokes && Math.abs(gaugeStrokes.counted - gaugeStrokes.expected) > 1.5) {
    return `the gauge counted ${gaugeStrokes.counted} strokes where a ${lobes}-lobe cam makes ${gaugeStrokes.expected.toFixed(1)}: the cam has another number of lobes, or the rig misses strokes`;
  }
  return '';
}
