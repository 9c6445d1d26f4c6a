// Hardware-timed Waveform input/output (Espruino's utility-timer buffer tasks).
//
// Semantics mirrored from jswrap_waveform.c / jstimer.c:
// - Sample k (k = 1, 2, ...) is taken at start + k/freq (the first one period after start).
// - Input: the ADC is 12-bit; a 16-bit buffer gets adc12 << 4 (multiples of 16), an 8-bit
//   buffer gets adc12 >> 4. The value read is hardware.analogIn(pin) at the sample time.
// - Output: each sample sets the pin's PWM duty to value/65536 (8-bit: value << 8), at the
//   frequency the pin was last given by analogWrite.
// - repeat:false: one pass over `buffer`, then a 'finish' event (with `buffer`); `running`
//   becomes false when that event is processed.
// - repeat:true without buffer2: `buffer` is used over and over, no events.
// - repeat:true with doubleBuffer: buffer, buffer2, buffer, ... Each time a buffer is
//   complete a 'buffer' event is queued with THAT buffer (the one to process / refill),
//   while the other one is being filled.
// - stop(): the task ends at once and a 'finish' event is queued; as on the device,
//   `running` stays true until that event has been processed.
// Sampling is done lazily: the board asks for the next sample time and calls sampleDue()
// as it advances virtual time (no allocation per input sample).

import { EventKind, EventQueue } from './event-queue';

type SampleBuffer = { [i: number]: number; length: number };

export interface WaveTask {
  wf: object;
  bufs: [SampleBuffer, SampleBuffer | null];
  cur: number;
  idx: number;
  is16: boolean;
  input: boolean;
  pin: string;
  start: number;
  period: number;
  k: number;
  next: number;
  repeat: boolean;
  pwmFreq: number;
}

export interface WaveformHost {
  readonly queue: EventQueue;
  analogIn(pin: string): number;
  pwmOut(pin: string, duty: number, freq: number): void;
}

export class WaveformEngine {
  private tasks: WaveTask[] = [];
  /** Earliest pending sample time, or Infinity. */
  nextTime = Infinity;

  constructor(private readonly host: WaveformHost) {}

  get active(): readonly WaveTask[] {
    return this.tasks;
  }

  start(t: Omit<WaveTask, 'cur' | 'idx' | 'k' | 'next'>): void {
    const task: WaveTask = { ...t, cur: 0, idx: 0, k: 1, next: t.start + t.period };
    this.tasks.push(task);
    this.recompute();
  }

  /** Stop the task of waveform `wf`; false if it is not running. */
  stop(wf: object, now: number): boolean {
    const i = this.tasks.findIndex((x) => x.wf === wf);
    if (i < 0) return false;
    const task = this.tasks[i]!;
    this.tasks.splice(i, 1);
    this.recompute();
    this.host.queue.add(now, EventKind.WaveformFinish, task);
    return true;
  }

  clear(): void {
    this.tasks = [];
    this.nextTime = Infinity;
  }

  private recompute(): void {
    let n = Infinity;
    for (let i = 0; i < this.tasks.length; i++) if (this.tasks[i]!.next < n) n = this.tasks[i]!.next;
    this.nextTime = n;
  }

  /**
   * Take the samples due at time t (== nextTime; the hardware is already at t).
   * Returns true if a buffer completed (an event was queued at t).
   */
  sampleDue(t: number): boolean {
    let queued = false;
    const tasks = this.tasks;
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i]!;
      if (task.next > t) continue;
      const buf = task.bufs[task.cur]!;
      if (task.input) {
        let q = Math.floor(this.host.analogIn(task.pin) * 4096);
        if (q < 0) q = 0; else if (q > 4095) q = 4095;
        buf[task.idx] = task.is16 ? q << 4 : q >> 4;
      } else {
        const v = task.is16 ? buf[task.idx]! : buf[task.idx]! << 8;
        this.host.pwmOut(task.pin, v / 65536, task.pwmFreq);
      }
      task.k++;
      task.next = task.start + task.k * task.period;
      if (++task.idx >= buf.length) {
        task.idx = 0;
        if (task.repeat) {
          if (task.bufs[1]) {
            const done = task.cur;
            task.cur ^= 1;
            this.host.queue.add(t, EventKind.WaveformBuffer, task, done);
            queued = true;
          }
        } else {
          tasks.splice(i, 1);
          i--;
          this.host.queue.add(t, EventKind.WaveformFinish, task);
          queued = true;
        }
      }
    }
    this.recompute();
    return queued;
  }
}
