// The interpreter's pending work, ordered by virtual time: a binary min-heap keyed on
// (time, seq). `seq` is assigned on every push, so events due at the same instant run in
// the order they were queued, as Espruino's event loop runs them.

/** What a queued event is for; the board dispatches on it. */
export const enum EventKind {
  Timer = 1,
  WatchEdge,
  WatchDebounce,
  ConsoleByte,
  WaveformBuffer,
  WaveformFinish,
  Watchdog,
  PacketTimeout,
  FileTimeout,
}

export interface QueuedEvent {
  time: number;
  seq: number;
  kind: EventKind;
  /** Set to drop the event lazily when it reaches the top of the heap. */
  cancelled: boolean;
  /** Kind-specific payload (timer record, watch, byte, waveform task...). */
  ref: unknown;
  /** Kind-specific number (byte value, edge level...). */
  num: number;
}

export class EventQueue {
  private heap: QueuedEvent[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Queue `ev` (its `seq` is assigned here). The same object may be re-pushed after it was popped. */
  push(ev: QueuedEvent): QueuedEvent {
    ev.seq = this.nextSeq++;
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (parent.time < ev.time || (parent.time === ev.time && parent.seq < ev.seq)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
    return ev;
  }

  /** Make an event record and queue it. */
  add(time: number, kind: EventKind, ref: unknown = null, num = 0): QueuedEvent {
    return this.push({ time, seq: 0, kind, cancelled: false, ref, num });
  }

  /** Time of the earliest live event, or Infinity. */
  peekTime(): number {
    const h = this.heap;
    while (h.length > 0 && h[0]!.cancelled) this.pop();
    return h.length > 0 ? h[0]!.time : Infinity;
  }

  /** Remove and return the earliest event (cancelled ones included), or undefined. */
  pop(): QueuedEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        let child = h[l]!;
        if (r < n) {
          const rc = h[r]!;
          if (rc.time < child.time || (rc.time === child.time && rc.seq < child.seq)) {
            c = r;
            child = rc;
          }
        }
        if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break;
        h[i] = child;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}
