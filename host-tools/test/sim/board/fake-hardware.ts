// A small scripted HardwareModel for the board's tests: analog inputs are functions of
// time, digital inputs follow a list of scheduled edges, and every output is recorded.
import type { HardwareModel, InputEdge, PinDrive } from '../../../src/sim/board/hardware-model';

export class FakeHardware implements HardwareModel {
  t = 0;
  analog: Record<string, (t: number) => number> = {};
  levels: Record<string, boolean> = {};
  private edges: InputEdge[] = [];
  drives: { t: number; pin: string; drive: PinDrive }[] = [];
  pulses: { t: number; pin: string; value: boolean; start: number; timesMs: number[] }[] = [];
  resets: number[] = [];
  advanceCalls = 0;
  /** Number of analogIn calls. */
  reads = 0;
  private static readonly NO_EDGES: InputEdge[] = [];

  /** Schedule an input edge. */
  edge(pin: string, time: number, value: boolean): this {
    this.edges.push({ pin, time, value });
    this.edges.sort((a, b) => a.time - b.time);
    return this;
  }

  /** A contact bounce: level toggles at each time, ending at `final`. */
  bounce(pin: string, times: number[], final: boolean): this {
    let v = times.length % 2 === 0 ? !final : final;
    for (const t of times) {
      this.edge(pin, t, v);
      v = !v;
    }
    return this;
  }

  advance(t: number): InputEdge[] {
    if (t < this.t) throw new Error(`time went backwards: ${t} < ${this.t}`);
    this.advanceCalls++;
    this.t = t;
    if (this.edges.length === 0 || this.edges[0]!.time > t) return FakeHardware.NO_EDGES;
    const out: InputEdge[] = [];
    while (this.edges.length > 0 && this.edges[0]!.time <= t) {
      const e = this.edges.shift()!;
      this.levels[e.pin] = e.value;
      out.push(e);
    }
    this.t = t;
    return out;
  }

  setPinDrive(pin: string, drive: PinDrive): void {
    this.drives.push({ t: this.t, pin, drive });
  }

  pulseTrain(pin: string, value: boolean, start: number, timesMs: number[]): void {
    this.pulses.push({ t: this.t, pin, value, start, timesMs });
  }

  analogIn(pin: string): number {
    this.reads++;
    const f = this.analog[pin];
    return f ? f(this.t) : 0;
  }

  digitalIn(pin: string): boolean {
    return this.levels[pin] ?? true;
  }

  mcuReset(): void {
    this.resets.push(this.t);
  }

  lastDrive(pin: string): PinDrive | undefined {
    for (let i = this.drives.length - 1; i >= 0; i--) if (this.drives[i]!.pin === pin) return this.drives[i]!.drive;
    return undefined;
  }
}
