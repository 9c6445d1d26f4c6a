// Runs a virtual board in step with the wall clock (times a speed factor), for programs
// outside this process that talk to it in real time. Every `tickMs` the board runs up to
// where the wall clock says it should be. If the simulation cannot keep up, a tick runs at
// most `maxTickS` of virtual time and the rest is dropped (counted in `lagS`), so serial
// I/O stays responsive instead of the pen falling further and further behind.
// Bytes that arrived while this process was descheduled are delivered at the start of the
// next tick, so a long catch-up tick would show the pen a heartbeat gap the host never made
// (a false LINK_LOST under machine load): ticks are kept short and the rest slips instead.
import { performance } from 'node:perf_hooks';
import type { VirtualBoard } from '../board';

export interface RealtimePacerOptions {
  /** Virtual seconds per wall second (default 1). */
  speed?: number;
  /** Wall-clock period of the pacing timer, ms (default 2). */
  tickMs?: number;
  /** Most virtual time one tick may run, s (default 0.03 × speed, at least 0.03: well under the pen's heartbeat timeout). */
  maxTickS?: number;
  /** Called after each tick with the board's virtual time. */
  onTick?: (nowS: number) => void;
  /** Called with an error thrown by the board or onTick; the pacer stops. */
  onError?: (e: unknown) => void;
}

export class RealtimePacer {
  private timer: NodeJS.Timeout | undefined;
  private wall0 = 0;
  private virt0 = 0;
  private readonly speed: number;
  private readonly maxTickS: number;
  /** Virtual time skipped because the simulation was slower than the wall clock, s. */
  lagS = 0;
  ticks = 0;
  /** Wall time spent inside the board, ms (load = busyMs / elapsed). */
  busyMs = 0;

  constructor(private readonly board: VirtualBoard, private readonly o: RealtimePacerOptions = {}) {
    this.speed = o.speed ?? 1;
    if (!(this.speed > 0) || !Number.isFinite(this.speed)) throw new RangeError(`speed must be a positive number, got ${o.speed}`);
    this.maxTickS = o.maxTickS ?? Math.max(0.03, 0.03 * this.speed);
  }

  start(): void {
    if (this.timer) return;
    this.wall0 = performance.now();
    this.virt0 = this.board.now;
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 2);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  private tick(): void {
    const t0 = performance.now();
    let target = this.virt0 + ((t0 - this.wall0) / 1000) * this.speed;
    const limit = this.board.now + this.maxTickS;
    if (target > limit) {
      this.lagS += target - limit;
      this.virt0 -= target - limit; // re-anchor: the skipped time is not made up later
      target = limit;
    }
    try {
      if (target > this.board.now) this.board.runUntil(target);
      this.ticks++;
      this.o.onTick?.(this.board.now);
    } catch (e) {
      this.stop();
      if (this.o.onError) this.o.onError(e);
      else throw e;
    }
    this.busyMs += performance.now() - t0;
  }
}
