// Fourier series of one captured stroke. A capture holds exactly one period of a periodic
// (steady-state) stroke, so its DFT coefficients are the stroke's Fourier series: the
// dynamics fit works harmonic by harmonic, and derivatives come out smooth (jkω·X_k)
// instead of amplifying sample noise.

export interface Complex {
  re: number;
  im: number;
}

/** Coefficients c_k, k = 0..K, of samples[j] ≈ Σ_k c_k e^{2πi·k·j/n} + conj (c_0 is the mean). */
export function harmonics(samples: readonly number[], K: number): Complex[] {
  const n = samples.length;
  const out: Complex[] = [];
  for (let k = 0; k <= K; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * k * j) / n;
      re += samples[j] * Math.cos(a);
      im += samples[j] * Math.sin(a);
    }
    out.push({ re: re / n, im: im / n });
  }
  return out;
}

/**
 * Evaluate the series (harmonics 0..K, `deriv`-th time derivative for fundamental angular
 * frequency w) at sample points j = 0..n−1.
 */
export function synthesize(c: readonly Complex[], n: number, w = 1, deriv = 0): number[] {
  const out = new Array<number>(n).fill(0);
  for (let k = 0; k < c.length; k++) {
    // (i·k·w)^deriv as a complex factor
    let fr = 1;
    let fi = 0;
    for (let d = 0; d < deriv; d++) {
      const nr = -fi * k * w;
      fi = fr * k * w;
      fr = nr;
    }
    const cr = c[k].re * fr - c[k].im * fi;
    const ci = c[k].re * fi + c[k].im * fr;
    const mult = k === 0 ? 1 : 2;
    for (let j = 0; j < n; j++) {
      const a = (2 * Math.PI * k * j) / n;
      out[j] += mult * (cr * Math.cos(a) - ci * Math.sin(a));
    }
  }
  return out;
}

export const cmul = (a: Complex, b: Complex): Complex => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
export const cdiv = (a: Complex, b: Complex): Complex => {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
};
export const cexpi = (phi: number): Complex => ({ re: Math.cos(phi), im: Math.sin(phi) });
