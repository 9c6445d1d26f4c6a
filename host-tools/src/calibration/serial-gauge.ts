// The `serial:PATH` gauge: a digital indicator streaming Sylvac-style lines ("+000.812 mm")
// on a serial port, inside a calibration rig (the one `stipple sim --gauge-pty` serves,
// docs/simulator.md). Held positions: ask for readings ('?') until three agree. Strokes:
// the rig's per-stroke bottom output ('S' … 'P'), averaged over the run's window. The
// fixture: 'A' lifts the reference phantom away, 'N' brings it to the tip — a plain
// indicator ignores those, so the technician is asked too.
import type { HostClock } from '../link/clock';
import { realClock } from '../link/clock';
import type { ByteTransport } from '../link/transport';
import { parseGaugeLine } from '../sim/pty/gauge-line';
import type { Fixture, Gauge, HeldReading, StrokeReading, StrokeWindow } from './gauge';
import type { Technician } from './technician';

/** Readings of a held needle that must agree, and by how much, mm. */
const AGREE_N = 3;
const AGREE_MM = 0.003;
const READ_TIMEOUT_MS = 2000;

interface Line {
  tMs: number;
  mm: number;
}

export class SerialGauge implements Gauge {
  readonly kind = 'serial' as const;
  readonly strokeStat = 'mean' as const;
  private text = '';
  private lines: Line[] = [];
  private waiters: ((l: Line) => void)[] = [];

  constructor(
    private readonly port: ByteTransport,
    readonly id: string,
    private readonly tech: Technician,
    private readonly clock: HostClock = realClock,
  ) {
    port.onData((d) => this.onData(d));
  }

  private onData(d: Uint8Array): void {
    for (const b of d) this.text += String.fromCharCode(b); // latin1, without Buffer (the web console runs this in a browser)
    let nl: number;
    while ((nl = this.text.indexOf('\n')) >= 0) {
      const raw = this.text.slice(0, nl + 1);
      this.text = this.text.slice(nl + 1);
      const mm = parseGaugeLine(raw);
      if (mm === undefined) continue; // not a reading (a banner, a half line after opening)
      const l = { tMs: this.clock.now(), mm };
      this.lines.push(l);
      if (this.lines.length > 20000) this.lines.splice(0, 10000);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f(l);
    }
  }

  private send(s: string): void {
    this.port.write(Uint8Array.from({ length: s.length }, (_, i) => s.charCodeAt(i) & 255));
  }

  /** The next reading after now (a requested one, or the next streamed one). */
  private next(): Promise<Line> {
    return new Promise((resolve, reject) => {
      const t = this.clock.setTimeout(() => reject(new Error(`no reading from the gauge ${this.id} within ${READ_TIMEOUT_MS} ms: check its cable and that it sends readings`)), READ_TIMEOUT_MS);
      this.waiters.push((l) => {
        this.clock.clearTimeout(t);
        resolve(l);
      });
    });
  }

  async fixture(f: Fixture, instructions: string): Promise<void> {
    this.send(f === 'air' ? 'A' : 'N');
    await this.tech.confirm(instructions);
  }

  async readHeld(r: HeldReading): Promise<number> {
    const got: number[] = [];
    for (let tries = 0; tries < 12; tries++) {
      const p = this.next();
      this.send('?');
      got.push((await p).mm);
      const last = got.slice(-AGREE_N);
      if (last.length === AGREE_N && Math.max(...last) - Math.min(...last) <= AGREE_MM) return median(last);
    }
    throw new Error(`the gauge does not settle at ${r.label}: last readings ${got.slice(-AGREE_N).map((v) => v.toFixed(3)).join(', ')} mm (the needle or the indicator is moving)`);
  }

  async strokesBegin(): Promise<void> {
    this.send('S');
  }

  async strokesEnd(label: string, w: StrokeWindow): Promise<StrokeReading> {
    this.send('P');
    const s = this.lines.filter((l) => l.tMs >= w.fromMs && l.tMs <= w.toMs);
    if (!s.length) throw new Error(`the gauge sent no per-stroke readings during ${label}: it needs a depth rig with per-stroke output ('S')`);
    return { kind: 'mean', mm: s.reduce((a, l) => a + l.mm, 0) / s.length, strokes: s.length };
  }

  close(): Promise<void> {
    return this.port.close();
  }
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
