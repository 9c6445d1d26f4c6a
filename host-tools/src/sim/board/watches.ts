// setWatch/clearWatch, with Espruino's debounce (jsinteractive.c):
// - no debounce: every edge on the pin (time stamped at the edge, "in the interrupt")
//   runs the callback if it matches `edge`; `lastTime` is the previous edge's time.
// - debounce d: an edge that changes the pin from the watch's last stable state arms a
//   timeout at edge+d; every further edge before it fires moves it to (that edge)+d.
//   When it fires, if the level differs from the last stable state, the callback runs
//   with `time` = the LAST edge's time (timeout - d) and the new state. A bounce that
//   ends at the old level produces no callback.
// Watch ids, like Espruino's, are one more than the highest id in use (so they are reused).

import { EventKind, EventQueue, QueuedEvent } from './event-queue';

export interface Watch {
  id: number;
  pin: string;
  fn: unknown;
  repeat: boolean;
  /** 1 rising, -1 falling, 0 both */
  edge: number;
  /** s */
  debounce: number;
  state: boolean;
  lastTime: number | undefined;
  /** pending debounce timeout */
  deadline: number;
  pendingState: boolean;
  pendingEv: QueuedEvent | null;
}

export interface WatchHost {
  readonly queue: EventQueue;
  /** Current level of an input (hardware already advanced to now). */
  readPin(pin: string): boolean;
  /** Run a watch callback with `{state, time, lastTime, pin}`. */
  fire(w: Watch, state: boolean, time: number, lastTime: number | undefined): void;
  /** Time stamps are quantised to the board's timer resolution. */
  quantise(t: number): number;
}

export class WatchManager {
  private watches: Watch[] = [];
  private pinCount = new Map<string, number>();

  constructor(private readonly host: WatchHost) {}

  isWatched(pin: string): boolean {
    return (this.pinCount.get(pin) ?? 0) > 0;
  }

  add(fn: unknown, pin: string, repeat: boolean, edge: number, debounceMs: number): number {
    let id = 1;
    for (const w of this.watches) if (w.id >= id) id = w.id + 1;
    const w: Watch = {
      id, pin, fn, repeat, edge, debounce: debounceMs > 0 ? debounceMs / 1000 : 0,
      state: this.host.readPin(pin), lastTime: undefined, deadline: 0, pendingState: false, pendingEv: null,
    };
    this.watches.push(w);
    this.pinCount.set(pin, (this.pinCount.get(pin) ?? 0) + 1);
    return id;
  }

  /** Returns false if the id is unknown. */
  clear(id?: number): boolean {
    if (id === undefined) {
      for (const w of this.watches) if (w.pendingEv) w.pendingEv.cancelled = true;
      this.watches = [];
      this.pinCount.clear();
      return true;
    }
    const w = this.watches.find((x) => x.id === id);
    if (!w) return false;
    this.remove(w);
    return true;
  }

  get count(): number {
    return this.watches.length;
  }

  /** All watches (for the memory estimate). */
  list(): readonly Watch[] {
    return this.watches;
  }

  private remove(w: Watch): void {
    const i = this.watches.indexOf(w);
    if (i < 0) return;
    this.watches.splice(i, 1);
    if (w.pendingEv) w.pendingEv.cancelled = true;
    this.pinCount.set(w.pin, (this.pinCount.get(w.pin) ?? 1) - 1);
  }

  /** An input edge, processed from the event loop (time = the edge's time stamp). */
  onEdge(pin: string, time: number, value: boolean): void {
    const t = this.host.quantise(time);
    for (const w of this.watches.slice()) {
      if (w.pin !== pin || this.watches.indexOf(w) < 0) continue;
      if (w.debounce <= 0) {
        w.state = value;
        if (w.edge === 0 || (value && w.edge > 0) || (!value && w.edge < 0)) {
          const last = w.lastTime;
          if (!w.repeat) this.remove(w);
          this.host.fire(w, value, t, last);
        }
        w.lastTime = t;
      } else if (w.pendingEv) {
        w.deadline = t + w.debounce;
        w.pendingState = value;
      } else if (value !== w.state) {
        w.deadline = t + w.debounce;
        w.pendingState = value;
        w.pendingEv = this.host.queue.add(w.deadline, EventKind.WatchDebounce, w);
      }
    }
  }

  /** The debounce timeout of `w` reached the top of the queue. */
  onDebounce(ev: QueuedEvent): void {
    const w = ev.ref as Watch;
    if (w.pendingEv !== ev) return;
    if (ev.time < w.deadline) {
      // moved by later bounces: requeue at the new deadline
      ev.time = w.deadline;
      this.host.queue.push(ev);
      return;
    }
    w.pendingEv = null;
    const old = w.state;
    const st = w.pendingState;
    w.state = st;
    if (old === st) return;
    const time = w.deadline - w.debounce;
    const last = w.lastTime;
    w.lastTime = time;
    if (w.edge === 0 || (st && w.edge > 0) || (!st && w.edge < 0)) {
      if (!w.repeat) this.remove(w);
      this.host.fire(w, st, time, last);
    }
  }
}
