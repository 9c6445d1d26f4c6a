// Small dense least squares for the calibration fits: a straight line with its residuals,
// and the normal equations of a few unknowns (solved by Gaussian elimination with partial
// pivoting; the problems here have ≤ 6 unknowns and well-scaled columns).

export interface LineFit {
  slope: number;
  intercept: number;
  /** y − fit, per point */
  residuals: number[];
  rms: number;
  maxAbs: number;
}

export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  const n = xs.length;
  if (n < 2 || ys.length !== n) throw new Error(`fitLine: need ≥ 2 paired points (got ${n}, ${ys.length})`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  if (!(sxx > 0)) throw new Error('fitLine: all x equal');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const residuals = xs.map((x, i) => ys[i] - (slope * x + intercept));
  return { slope, intercept, residuals, ...spread(residuals) };
}

/** Line through the origin: y = slope·x. */
export function fitProportional(xs: readonly number[], ys: readonly number[]): LineFit {
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += xs[i] * ys[i];
    sxx += xs[i] ** 2;
  }
  if (!(sxx > 0)) throw new Error('fitProportional: all x zero');
  const slope = sxy / sxx;
  const residuals = xs.map((x, i) => ys[i] - slope * x);
  return { slope, intercept: 0, residuals, ...spread(residuals) };
}

export function spread(r: readonly number[]): { rms: number; maxAbs: number } {
  let s = 0;
  let m = 0;
  for (const v of r) {
    s += v * v;
    m = Math.max(m, Math.abs(v));
  }
  return { rms: r.length ? Math.sqrt(s / r.length) : 0, maxAbs: m };
}

export function mean(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return v.length ? s / v.length : NaN;
}

export function stdDev(v: readonly number[]): number {
  const m = mean(v);
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return v.length > 1 ? Math.sqrt(s / (v.length - 1)) : 0;
}

/**
 * Least squares solution of rows·p ≈ rhs (rows: one array of regressors per observation).
 * `ridge` > 0 adds that fraction of the normal matrix's mean diagonal (and 1e-12, for an
 * all-zero one) to its diagonal, so that columns that are constant or repeat each other stay
 * solvable.
 */
export function solveLeastSquares(rows: readonly (readonly number[])[], rhs: readonly number[], ridge = 0): number[] {
  const p = rows[0]?.length ?? 0;
  const ata: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const atb = new Array<number>(p).fill(0);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let i = 0; i < p; i++) {
      atb[i] += row[i] * rhs[r];
      for (let j = 0; j < p; j++) ata[i][j] += row[i] * row[j];
    }
  }
  if (ridge > 0) {
    let diag = 0;
    for (let i = 0; i < p; i++) diag += ata[i][i] / p;
    for (let i = 0; i < p; i++) ata[i][i] += ridge * diag + 1e-12;
  }
  return solveSquare(ata, atb);
}

/** Solve A·x = b (A square), Gaussian elimination with partial pivoting. Throws when singular. */
export function solveSquare(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    if (!(Math.abs(m[piv][c]) > 1e-300)) throw new Error('solveSquare: singular system');
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}
