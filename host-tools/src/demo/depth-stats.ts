// Error figures of a series of per-stroke depths against the setpoint, µm.

export interface ErrorStats {
  /** strokes counted */
  n: number;
  meanUm: number;
  rmsUm: number;
  /** largest |error| */
  worstUm: number;
}

export function errorStats(depthsMm: readonly number[], setMm: number): ErrorStats {
  const e = depthsMm.map((d) => (d - setMm) * 1000);
  if (!e.length) return { n: 0, meanUm: NaN, rmsUm: NaN, worstUm: NaN };
  return {
    n: e.length,
    meanUm: e.reduce((a, b) => a + b, 0) / e.length,
    rmsUm: Math.sqrt(e.reduce((a, b) => a + b * b, 0) / e.length),
    worstUm: Math.max(...e.map(Math.abs)),
  };
}
