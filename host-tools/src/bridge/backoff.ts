// Reconnect delays: exponential from `minMs` to `maxMs` with ±20 % jitter, so that a
// fleet of bridges does not hammer a broker that just came back all at the same instant.

export interface BackoffOptions {
  minMs?: number;
  maxMs?: number;
  /** Random source in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  readonly minMs: number;
  readonly maxMs: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.minMs = o.minMs ?? 500;
    this.maxMs = o.maxMs ?? 30000;
    this.random = o.random ?? Math.random;
    if (!(this.minMs > 0) || !(this.maxMs >= this.minMs)) throw new RangeError('backoff needs 0 < minMs <= maxMs');
  }

  /** The delay before the next attempt, ms. */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(Math.min(this.maxMs, base * (0.8 + 0.4 * this.random())));
  }

  reset(): void {
    this.attempt = 0;
  }
}
