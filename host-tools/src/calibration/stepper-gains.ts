// The stepper's depth-loop gain, derived from the identified stage (never typed in).
//
// The firmware (firmware/src/control/stage-depth.ts) corrects once per block of k strokes:
// e = set − measured (mean bottom of the block's strokes), and the stage moves by
// round(ki·e·stepsPerMm) steps (nothing within ±2, at most 40). The stage position is the
// sum of its moves: an integrator, so ki is the whole law (kp is not used; 0 in the record).
// The move starts when the block's handler runs and the stage steps it out at the
// firmware's pulse rate (firmware/src/hal/espruino-io.ts: 0.16 ms pulses and gaps, 16 per
// chunk, 1 ms between chunks: ~2.6 kHz), so the next block's strokes see a fraction λ of it —
// the ones whose bottom comes after the steps — and the block after sees all of it. In mm
// of the model, with ρ the actual mm per step over the model's times the actual Hall span
// over the model's:
//     y[n+1] = ρ·(λ·p[n] + (1 − λ)·p[n−1]),   p[n] = p[n−1] + ki·(set − y[n])
// whose characteristic polynomial is z² + (ρλki − 1)z + ρ(1 − λ)ki: the voice coil's
// (gains.ts) with kp = 0. ki is the grid point (steps 0.02) that minimises the largest root
// magnitude over every rate's λ, for every move the law makes (2…40 steps: λ falls as a move
// takes longer), and ρ over the identified model's uncertainty.
import { MAX_STAGE_STEPS_PER_BLOCK, STAGE_DEADBAND_STEPS } from '@stipple/firmware/control/stage-depth';
import { strokesPerBlock } from '@stipple/firmware/control/block-analysis';

/** The firmware's stage pulses (firmware/src/hal/espruino-io.ts STAGE_PULSE_MS, STAGE_CHUNK_STEPS; the next chunk 1 ms after a chunk's pulses). */
export const STAGE_DRIVE = { pulseMs: 0.16, chunkSteps: 16, chunkGapMs: 1 };
/** Stroke rates the loop is designed over: the working range, every 5/s, and the rate just under each change of block length. */
export const STAGE_DESIGN_RATES = [...Array.from({ length: 21 }, (_, i) => 50 + 5 * i), 74, 124];
/** Move sizes the law makes, steps: from just outside its deadband to its per-block cap. */
export const STAGE_MOVES = [STAGE_DEADBAND_STEPS, 8, 16, 24, 32, MAX_STAGE_STEPS_PER_BLOCK];
/** Hall span drift with the motor's heat over a session (NdFeB −0.12 %/K, up to 30 K warmer than at calibration). */
export const HALL_DRIFT = 0.036;
/** Mechanics under the skin's load (cam follower and lead screw compliance), an engineering margin. */
export const MECHANICS_MARGIN = 0.1;

export interface StageGainDerivation {
  kp: number;
  ki: number;
  /** largest closed-loop root magnitude at the design corners: the depth error shrinks by this per block */
  contraction: number;
  /** per rate: the fraction of a move the next block shows, smallest and largest move */
  lambda: { rate: number; lambda: number; lambdaLargest: number }[];
  rho: number[];
  /** how far ρ reaches either side of 1, and its parts */
  rhoSpread: { identification: number; hallDrift: number; mechanics: number };
  moves: number[];
}

/** Largest root magnitude of z² + (ρλki − 1)z + ρ(1 − λ)ki. */
export function stageSpectralRadius(ki: number, rho: number, lam: number): number {
  const b = rho * lam * ki - 1;
  const c = rho * (1 - lam) * ki;
  const disc = b * b - 4 * c;
  if (disc < 0) return Math.sqrt(c);
  const r = Math.sqrt(disc);
  return Math.max(Math.abs((-b + r) / 2), Math.abs((-b - r) / 2));
}

/** Time of each step of an n-step move from its start, ms. */
export function stageStepTimesMs(n: number): number[] {
  const { pulseMs, chunkSteps, chunkGapMs } = STAGE_DRIVE;
  const chunkMs = 2 * chunkSteps * pulseMs + chunkGapMs;
  return Array.from({ length: n }, (_, i) => Math.floor(i / chunkSteps) * chunkMs + (i % chunkSteps) * 2 * pulseMs);
}

/**
 * Fraction of a move of `steps` that the next block's mean bottom shows: the move starts
 * `latencyMs` after the block boundary; the block's k strokes end at φ + j/rate, averaged
 * over the strokes' phase φ against the block (the cam is not synchronised to the blocks).
 */
export function nextBlockFraction(steps: number, rate: number, latencyMs = 0): number {
  const k = strokesPerBlock(rate);
  const t = stageStepTimesMs(steps).map((x) => x + latencyMs);
  const period = 1000 / rate;
  const PHASES = 64;
  let sum = 0;
  for (let q = 0; q < PHASES; q++) {
    const phi = ((q + 0.5) / PHASES) * period;
    for (let j = 0; j < k; j++) {
      const at = phi + j * period;
      let done = 0;
      while (done < steps && t[done] <= at) done++;
      sum += done / steps;
    }
  }
  return sum / (PHASES * k);
}

/** The design's ρ points: 1 ± (identification uncertainty + Hall drift + mechanics), five across. */
export function rhoRange(identificationRel: number): { rho: number[]; spread: StageGainDerivation['rhoSpread'] } {
  const spread = { identification: identificationRel, hallDrift: HALL_DRIFT, mechanics: MECHANICS_MARGIN };
  const u = identificationRel + HALL_DRIFT + MECHANICS_MARGIN;
  return { rho: [1 - u, 1 - u / 2, 1, 1 + u / 2, 1 + u], spread };
}

/**
 * ki for the identified stage. `identificationRel`: the loop gain's relative uncertainty
 * from the identification itself (3σ of stepsPerMm and of the Hall span, from their fits).
 */
export function deriveStageGains(identificationRel: number, latencyMs = 0): StageGainDerivation {
  const { rho, spread } = rhoRange(identificationRel);
  const lambda = STAGE_DESIGN_RATES.map((rate) => {
    const l = STAGE_MOVES.map((m) => nextBlockFraction(m, rate, latencyMs));
    return { rate, lambda: l[0], lambdaLargest: l[l.length - 1], all: l };
  });
  let best = { ki: 0, contraction: Infinity };
  for (let ki = 0.02; ki <= 1.5001; ki += 0.02) {
    let worst = 0;
    for (const l of lambda) {
      for (const lam of l.all) {
        for (const r of rho) worst = Math.max(worst, stageSpectralRadius(ki, r, lam));
      }
      if (worst >= best.contraction) break;
    }
    if (worst < best.contraction) best = { ki, contraction: worst };
  }
  return {
    kp: 0, ki: Math.round(best.ki * 100) / 100, contraction: best.contraction,
    lambda: lambda.map(({ rate, lambda: a, lambdaLargest }) => ({ rate, lambda: a, lambdaLargest })), rho, rhoSpread: spread, moves: STAGE_MOVES,
  };
}
