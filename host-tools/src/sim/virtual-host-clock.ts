// The host's clock when it talks to a virtual pen: timers are instants on the board's
// virtual timeline. Nothing fires by itself; the SimLink driver runs the board up to the
// next due timer and then fires it, so host and pen share one timeline whatever the wall
// clock does.
import type { ClockTimer, HostClock } from '../link/clock';

/** A pending virtual timer; also the handle given to the host. */
export class VirtualTimer implements ClockTimer {
  constructor(
    readonly fn: () => void,
    /** Due time, virtual s. */
    public dueS: number,
    /** Repeat period, s (0: one-shot). */
    readonly periodS: number,
    /** Creation order: ties at the same instant fire in the order they were set. */
    public order: number,
  ) {}

  /** Virtual timers never keep Node alive: nothing to do. */
  unref(): this {
    return this;
  }
}

export class VirtualHostClock implements HostClock {
  private timers: VirtualTimer[] = [];
  private order = 0;

  /** `nowS`: the board's virtual time, s. */
  constructor(private readonly nowS: () => number) {}

  now(): number {
    return this.nowS() * 1000;
  }

  setTimeout(fn: () => void, ms: number): VirtualTimer {
    return this.add(fn, ms, false);
  }

  setInterval(fn: () => void, ms: number): VirtualTimer {
    return this.add(fn, ms, true);
  }

  clearTimeout(t: ClockTimer | undefined): void {
    if (t instanceof VirtualTimer) this.timers = this.timers.filter((x) => x !== t);
  }

  clearInterval(t: ClockTimer | undefined): void {
    this.clearTimeout(t);
  }

  /** Timers pending (one-shot and interval). */
  get pending(): number {
    return this.timers.length;
  }

  /** Virtual time (s) of the earliest pending timer; Infinity if none. */
  nextDueS(): number {
    const t = this.earliest();
    return t ? t.dueS : Infinity;
  }

  /** Fire the earliest timer due at or before now. False if none is due. */
  fireOne(): boolean {
    const t = this.earliest();
    if (!t || t.dueS > this.nowS()) return false;
    if (t.periodS > 0) {
      // no drift: the k-th run is due at start + k·period, whenever the previous one ran
      t.dueS += t.periodS;
      t.order = this.order++;
    } else this.clearTimeout(t);
    t.fn();
    return true;
  }

  private add(fn: () => void, ms: number, repeat: boolean): VirtualTimer {
    // as Node: a delay below 1 ms (or not a number) is 1 ms, so a zero interval cannot spin
    const d = Number.isFinite(ms) && ms >= 1 ? ms / 1000 : 0.001;
    const t = new VirtualTimer(fn, this.nowS() + d, repeat ? d : 0, this.order++);
    this.timers.push(t);
    return t;
  }

  private earliest(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers) if (!best || t.dueS < best.dueS || (t.dueS === best.dueS && t.order < best.order)) best = t;
    return best;
  }
}
