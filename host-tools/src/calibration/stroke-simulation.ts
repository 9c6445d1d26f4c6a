// Strokes of the identified actuator, simulated: the stroke clock pushes with D·V for the
// push fraction of each period and brakes for the rest (docs/hardware.md), the coil's
// L·di/dt = u − R·i − kf·v, the needle's m·a = kf·i − k·(x − x_rest) − c·v − friction.
// Used to choose capture duties before measuring and to derive the control gains, never
// as a substitute for a measurement.
import type { ActuatorModel } from './actuator-model';

export interface StrokeSimOptions {
  rate: number;
  push: number;
  duty: number;
  /** open-circuit supply, V */
  volts: number;
  strokes: number;
  /** from this stroke on (0-based), drive with `dutyAfter` */
  changeAt?: number;
  dutyAfter?: number;
}

const DT = 5e-6;
const { abs, exp } = Math; // bound once: global lookups are slow inside vm contexts (jest)

/** Bottom-of-stroke protrusion of each simulated stroke, mm. */
export function simulateStrokes(a: ActuatorModel, o: StrokeSimOptions): number[] {
  return simulate(a, o).bottoms;
}

/** Bottom (deepest) and trough (most retracted) of each simulated stroke, mm. */
function simulate(a: ActuatorModel, o: StrokeSimOptions): { bottoms: number[]; troughs: number[] } {
  const m = a.mG / 1000;
  const k = a.kNPerMm * 1000;
  const x0 = a.restMm / 1000;
  const period = 1 / o.rate;
  const steps = Math.round(period / DT);
  const pushSteps = Math.round(o.push * steps);
  let x = x0;
  let v = 0;
  let i = 0;
  const decay = exp((-a.rOhm * DT) / Math.max(a.lH, 1e-6));
  const bottoms: number[] = [];
  const troughs: number[] = [];
  for (let s = 0; s < o.strokes; s++) {
    const duty = o.changeAt !== undefined && s >= o.changeAt ? o.dutyAfter ?? o.duty : o.duty;
    let bottom = -Infinity;
    let trough = Infinity;
    for (let j = 0; j < steps; j++) {
      const on = j < pushSteps;
      const u = on ? duty * (o.volts - a.rBatteryOhm * duty * i) : 0;
      // exact exponential for the coil over the step (L/R is ~0.1 ms)
      const iInf = (u - a.kf * v) / a.rOhm;
      i = iInf + (i - iInf) * decay;
      const f = a.kf * i - k * (x - x0) - a.cNsPerM * v - (a.frictionN * v) / (abs(v) + 1e-3);
      v += (f / m) * DT;
      x += v * DT;
      if (x > bottom) bottom = x;
      if (x < trough) trough = x;
    }
    bottoms.push(bottom * 1000);
    troughs.push(trough * 1000);
  }
  return { bottoms, troughs };
}

/** Steady in-air bottom of stroke at a duty, mm. */
export function predictBottom(a: ActuatorModel, rate: number, push: number, duty: number, volts: number): number {
  // the stroke envelope settles within a few ms (damping ratio ~0.5): 12 strokes are steady
  const b = simulateStrokes(a, { rate, push, duty, volts, strokes: 12 });
  return b[b.length - 1];
}

/** Steady in-air stroke at a duty: its bottom and its trough (the return below rest), mm. */
export function predictStrokeRange(a: ActuatorModel, rate: number, push: number, duty: number, volts: number): { bottomMm: number; troughMm: number } {
  const r = simulate(a, { rate, push, duty, volts, strokes: 12 });
  return { bottomMm: r.bottoms[11], troughMm: r.troughs[11] };
}

/** Duty whose steady in-air bottom is `targetMm` (secant steps on the simulation: it is nearly linear in duty). */
export function dutyForBottom(a: ActuatorModel, rate: number, push: number, volts: number, targetMm: number): number {
  let d0 = 0.3;
  let d1 = 0.5;
  let b0 = predictBottom(a, rate, push, d0, volts);
  let b1 = predictBottom(a, rate, push, d1, volts);
  for (let it = 0; it < 4 && Math.abs(b1 - targetMm) > 0.002 && b1 !== b0; it++) {
    const d2 = Math.min(1, Math.max(0, d1 + ((targetMm - b1) * (d1 - d0)) / (b1 - b0)));
    d0 = d1;
    b0 = b1;
    d1 = d2;
    b1 = predictBottom(a, rate, push, d1, volts);
  }
  return d1;
}
