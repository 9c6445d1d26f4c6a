// Levenberg–Marquardt for the few-parameter output-error fits of calibration (needle
// dynamics). Numeric forward-difference Jacobian: the models are cheap and have ≤ 6
// parameters, so clarity beats analytic derivatives. Parameters should be scaled to O(1).
import { solveSquare } from './least-squares';

export interface LmOptions {
  maxIterations?: number;
  /** Stop when the relative cost decrease is below this. */
  tolerance?: number;
}

export interface LmResult {
  params: number[];
  /** Sum of squared residuals at the solution. */
  cost: number;
  iterations: number;
}

export function levenbergMarquardt(residuals: (p: number[]) => number[], start: number[], o: LmOptions = {}): LmResult {
  const maxIt = o.maxIterations ?? 100;
  const tol = o.tolerance ?? 1e-10;
  let p = start.slice();
  let r = residuals(p);
  let cost = sumSq(r);
  let lambda = 1e-3;
  let it = 0;
  for (; it < maxIt; it++) {
    const jac = jacobian(residuals, p, r);
    const n = p.length;
    const jtj: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const jtr = new Array<number>(n).fill(0);
    for (let k = 0; k < r.length; k++) {
      for (let i = 0; i < n; i++) {
        jtr[i] += jac[i][k] * r[k];
        for (let j = 0; j < n; j++) jtj[i][j] += jac[i][k] * jac[j][k];
      }
    }
    let improved = false;
    for (let tries = 0; tries < 12; tries++) {
      const a = jtj.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) + 1e-12 : v)));
      let step: number[];
      try {
        step = solveSquare(a, jtr.map((v) => -v));
      } catch {
        lambda *= 10;
        continue;
      }
      const q = p.map((v, i) => v + step[i]);
      const rq = residuals(q);
      const cq = sumSq(rq);
      if (Number.isFinite(cq) && cq < cost) {
        const rel = (cost - cq) / Math.max(cost, 1e-300);
        p = q;
        r = rq;
        cost = cq;
        lambda = Math.max(lambda / 5, 1e-9);
        improved = true;
        if (rel < tol) return { params: p, cost, iterations: it + 1 };
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { params: p, cost, iterations: it };
}

function sumSq(r: number[]): number {
  let s = 0;
  for (const v of r) s += v * v;
  return s;
}

/** jac[i][k] = ∂r_k/∂p_i by forward differences. */
function jacobian(residuals: (p: number[]) => number[], p: number[], r0: number[]): number[][] {
  return p.map((v, i) => {
    const h = 1e-6 * Math.max(1, Math.abs(v));
    const q = p.slice();
    q[i] = v + h;
    const r = residuals(q);
    return r.map((x, k) => (x - r0[k]) / h);
  });
}
