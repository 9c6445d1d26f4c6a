// A one-line chart of recent values with block characters, scaled to their own range.
const BLOCKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], width: number): string {
  const v = values.slice(-width);
  if (v.length === 0) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
  const span = hi - lo;
  return v.map((x) => BLOCKS[span > 0 ? Math.min(7, Math.floor(((x - lo) / span) * 8)) : 3]).join('');
}

/** Keeps the last `n` values. */
export class History {
  readonly values: number[] = [];
  constructor(private readonly n: number) {}
  push(x: number | undefined): void {
    if (x === undefined) return;
    this.values.push(x);
    if (this.values.length > this.n) this.values.shift();
  }
  get min(): number {
    return Math.min(...this.values);
  }
  get max(): number {
    return Math.max(...this.values);
  }
}
