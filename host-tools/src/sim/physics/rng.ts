// Deterministic pseudo-random numbers for the pen simulator. Nothing in the
// physics uses Math.random: every random draw comes from a seeded stream, and
// separate concerns (part-to-part spread, sensor noise, environment) get separate
// streams so that, e.g., the number of ADC reads never changes the mechanics.

/** splitmix32-style hash: spreads (seed, stream) into a well-mixed 32-bit state. */
export function hashSeed(seed: number, stream: number): number {
  let h = (seed >>> 0) ^ Math.imul(stream + 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: tiny, fast, good enough for simulation noise. */
export class Rng {
  private state: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number, stream = 0) {
    this.state = hashSeed(seed, stream);
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller, polar form, spare cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Normal with sigma = tol/2, truncated (redrawn) to ±tol: a part inside its tolerance band. */
  truncNormal(tol: number): number {
    for (;;) {
      const z = this.normal() * 0.5;
      if (z >= -1 && z <= 1) return z * tol;
    }
  }
}

/** Stream numbers, one per concern. */
export const STREAM = {
  spread: 1,
  sensorNoise: 2,
  environment: 3,
  handset: 4,
} as const;
