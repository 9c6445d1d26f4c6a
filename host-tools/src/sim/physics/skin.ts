// Skin under the cartridge tip: a two-layer (epidermis / dermis) needle-insertion model.
//
// Figures from ../../../../../shared/domain.md: epidermis 0.06–0.12 mm, dermis 1.1–1.9 mm,
// puncture 0.1–0.5 N per needle (estimate), insertion force ≈ 60 % tearing, 20 % spreading,
// 20 % friction, barely speed dependent; skin deflects so that at nominal insertions under
// 1 mm less than half of the nominal depth ends up in tissue; scar tissue firmer and patchy.
//
// Model (all SI inside: m, N, s):
//  * Before puncture the needle point tents the surface: F = kPre·u + cPre·u̇ (u = needle
//    tip past the undisturbed surface). When F reaches the puncture force the epidermis
//    gives way.
//  * After puncture the tissue around the needle is a massless Kelvin–Voigt element
//    (kBulk, cBulk) displaced by w; the needle slides in it (depth in tissue d = u − w)
//    against a stick–slip interface: advancing into uncut tissue costs the layer's cutting
//    force + friction μ·d, sliding back costs friction μ·d, otherwise the tissue sticks
//    to the needle. The puncture resets when the needle leaves the hole (d ≤ 0).
//  * Stiffness multipliers: tissue type, a settable step, a slow random walk (the pen
//    moving across the scalp) and, for scar, a per-stroke patch factor.

import { Rng } from './rng';

// Math functions and constants bound once: global lookups are slow inside vm contexts (jest,
// the virtual board), and these run in the step loop.
const { exp, max, pow, sqrt } = Math;


export type TissueType = 'soft' | 'normal' | 'firm' | 'scar' | 'air';

export interface NeedleConfig {
  /** 1 for 1RL, 3 for 3RL */
  count: number;
  /** needle diameter, mm (0.18–0.35; #06 ≈ 0.20, #08 ≈ 0.25) */
  diameterMm: number;
}

/** Nominal skin figures (normal scalp, one 0.25 mm needle). Documented in docs/simulator.md. */
export const SKIN_NOMINAL = {
  epidermisMm: 0.09, // domain.md 0.06–0.12 mm
  dermisMm: 1.5, // domain.md 1.1–1.9 mm
  punctureN: 0.25, // domain.md 0.1–0.5 N per needle
  preStiffnessNPerMm: 0.5, // engineering estimate: tent ≈ 0.5 mm at puncture (domain.md: skin deflects)
  preDampingNsPerM: 0.03, // engineering estimate: force barely speed dependent (domain.md)
  bulkStiffnessNPerMm: 0.25, // engineering estimate: < half of nominal depth in tissue below 1 mm (domain.md)
  bulkDampingNsPerM: 0.05, // engineering estimate: tissue relaxation τ ≈ 0.2 ms
  cutEpidermisFrac: 0.5, // × puncture force, tearing (domain.md 60 % tearing)
  cutDermisFrac: 0.4, // × puncture force
  cutSubcutisFrac: 0.2, // × puncture force
  frictionNPerMm: 0.1, // per mm of needle in tissue, engineering estimate (domain.md ≈20 % friction)
  walkSigma: 0.1, // log-stiffness random walk, stationary σ, engineering estimate
  walkTauS: 2.0, // correlation time of the random walk (pen moving across the scalp)
  walkUpdateS: 0.005,
} as const;

/** Tissue-type multipliers: stiffness k, force f, per-stroke patchiness (± fraction, uniform). */
export const TISSUE: { [t in Exclude<TissueType, 'air'>]: { k: number; f: number; patch: number } } = {
  soft: { k: 0.6, f: 0.8, patch: 0 },
  normal: { k: 1.0, f: 1.0, patch: 0 },
  firm: { k: 1.6, f: 1.3, patch: 0 },
  scar: { k: 2.2, f: 1.6, patch: 0.3 },
};

/** Needle-group force scale: count^0.8 × (d / 0.25 mm), engineering estimate (domain.md: a group needs more than one needle). */
export function needleForceScale(n: NeedleConfig): number {
  return pow(max(1, n.count), 0.8) * (n.diameterMm / 0.25);
}

export class SkinModel {
  tissue: TissueType = 'normal';
  needle: NeedleConfig = { count: 1, diameterMm: 0.25 };
  /** settable stiffness step (multiplier) */
  stepFactor = 1;
  /** random-walk state (log multiplier) */
  private walk = 0;
  private patchFactor = 1;
  private walkTimer = 0;
  /** needle present (cartridge seated) */
  needlePresent = true;

  // effective parameters (SI)
  private air = false;
  private kPre = 0;
  private cPre = 0;
  private fPunct = 0;
  private kB = 0;
  private cB = 0;
  private fCutE = 0;
  private fCutD = 0;
  private fCutS = 0;
  private mu = 0;
  private tE = 0;
  private tED = 0;
  private ePre = 0;
  private eB = 0;
  private dt = 0;

  // state
  punctured = false;
  /** tissue displacement at the needle, m */
  w = 0;
  /** depth of the tip in tissue, m */
  d = 0;
  private dMax = 0;
  /** the needle touched or entered the skin since the last `newStroke()` */
  touched = false;
  puncturedThisStroke = false;
  maxDepthThisStroke = 0;

  constructor(private readonly rng: Rng) {}

  setDt(dt: number): void {
    this.dt = dt;
    this.recompute();
  }

  set(tissue: TissueType): void {
    this.tissue = tissue;
    if (tissue === 'air') this.release(); // lifted off: the needle leaves the skin
    this.recompute();
  }

  setNeedle(n: NeedleConfig): void {
    this.needle = { count: n.count, diameterMm: n.diameterMm };
    this.recompute();
  }

  setStepFactor(f: number): void {
    this.stepFactor = f;
    this.recompute();
  }

  /** Current stiffness multiplier relative to normal skin (type × step × walk × patch). */
  stiffnessMultiplier(): number {
    if (this.tissue === 'air') return 0;
    return TISSUE[this.tissue].k * this.stepFactor * exp(this.walk) * this.patchFactor;
  }

  /** Puncture force, N, for the present needle and tissue. */
  punctureForceN(): number {
    return this.fPunct;
  }

  private recompute(): void {
    const S = SKIN_NOMINAL;
    this.air = this.tissue === 'air' || !this.needlePresent;
    if (this.tissue === 'air') return;
    const t = TISSUE[this.tissue];
    const vary = this.stepFactor * exp(this.walk) * this.patchFactor;
    const km = t.k * vary;
    const fm = t.f * sqrt(vary);
    const ns = needleForceScale(this.needle);
    this.fPunct = S.punctureN * fm * ns;
    this.kPre = S.preStiffnessNPerMm * 1000 * km * sqrt(ns);
    this.cPre = S.preDampingNsPerM * sqrt(ns);
    this.kB = S.bulkStiffnessNPerMm * 1000 * km;
    this.cB = S.bulkDampingNsPerM;
    this.fCutE = S.cutEpidermisFrac * this.fPunct;
    this.fCutD = S.cutDermisFrac * this.fPunct;
    this.fCutS = S.cutSubcutisFrac * this.fPunct;
    this.mu = S.frictionNPerMm * 1000 * fm * ns;
    this.tE = S.epidermisMm / 1000;
    this.tED = (S.epidermisMm + S.dermisMm) / 1000;
    this.ePre = exp(-this.dt * this.kPre / this.cPre);
    this.eB = exp(-this.dt * this.kB / this.cB);
  }

  /** Environment clock: advance the random walk (called every step with the step length). */
  tick(dt: number): void {
    this.walkTimer += dt;
    if (this.walkTimer < SKIN_NOMINAL.walkUpdateS) return;
    const h = this.walkTimer;
    this.walkTimer = 0;
    // exact Ornstein–Uhlenbeck update over h (stable for any h)
    const e = exp(-h / SKIN_NOMINAL.walkTauS);
    this.walk = this.walk * e + SKIN_NOMINAL.walkSigma * sqrt(1 - e * e) * this.rng.normal();
    if (!this.air) this.recompute();
  }

  /** A stroke ended: draw the next patch factor (scar) and clear per-stroke flags. */
  newStroke(): void {
    this.touched = false;
    this.puncturedThisStroke = this.punctured;
    this.maxDepthThisStroke = this.d;
    if (this.tissue !== 'air') {
      const p = TISSUE[this.tissue].patch;
      if (p > 0) {
        this.patchFactor = 1 + this.rng.uniform(-p, p);
        this.recompute();
      }
    }
  }

  /** Remove all tissue state (needle lifted off / cartridge pulled). */
  release(): void {
    this.punctured = false;
    this.w = 0;
    this.d = 0;
    this.dMax = 0;
  }

  setNeedlePresent(p: boolean): void {
    this.needlePresent = p;
    if (!p) this.release();
    this.recompute();
  }

  /** Last force computed by `step`, N, positive resisting protrusion. */
  F = 0;

  /** Input of `step`: tip past the undisturbed surface, m. */
  u = 0;
  /** Input of `step`: its rate, m/s. */
  ud = 0;

  /** Force of the tissue on the needle (see `step`), N. */
  force(u: number, ud: number): number {
    this.u = u;
    this.ud = ud;
    this.step();
    return this.F;
  }

  /**
   * Advance the tissue by one step for the tip at `u` moving at `ud` (fields, set by the
   * caller) and leave the force of the tissue on the needle in `F` (N, positive resisting
   * protrusion). Fields in and out, so that the hot loop boxes no numbers.
   */
  step(): void {
    const u = this.u;
    const ud = this.ud;
    if (this.air) {
      if (this.punctured || this.w !== 0) this.release();
      this.F = 0;
      return;
    }
    if (!this.punctured) {
      const wr = this.w * this.ePre;
      if (u > 0 && u >= wr) {
        this.w = u;
        this.touched = true;
        let f = this.kPre * u + this.cPre * ud;
        if (f < 0) f = 0;
        if (f >= this.fPunct) {
          this.punctured = true;
          this.puncturedThisStroke = true;
          this.d = 0;
          this.dMax = 0;
        }
        this.F = f;
        return;
      }
      this.w = wr;
      this.F = 0;
      return;
    }
    // punctured: stick–slip interface with a Kelvin–Voigt tissue element
    const d = this.d;
    const kB = this.kB;
    const fs = kB * this.w + this.cB * ud;
    const fric = this.mu * d;
    let fhi = fric;
    if (d >= this.dMax - 1e-9) fhi += d < this.tE ? this.fCutE : d < this.tED ? this.fCutD : this.fCutS;
    if (fs > fhi) {
      const weq = fhi / kB;
      this.w = weq + (this.w - weq) * this.eB;
      let dn = u - this.w;
      if (dn < d) dn = d;
      this.w = u - dn;
      this.d = dn;
      if (dn > this.dMax) this.dMax = dn;
      if (dn > this.maxDepthThisStroke) this.maxDepthThisStroke = dn;
      this.F = fhi;
      return;
    }
    if (fs < -fric) {
      const weq = -fric / kB;
      this.w = weq + (this.w - weq) * this.eB;
      let dn = u - this.w;
      if (dn > d) dn = d;
      if (dn <= 0) {
        // the needle left the hole: puncture resets, tissue springs back
        this.punctured = false;
        this.d = 0;
        this.dMax = 0;
        this.F = 0;
        return;
      }
      this.w = u - dn;
      this.d = dn;
      this.F = -fric;
      return;
    }
    this.w = u - d;
    this.F = fs;
    return;
  }
}
