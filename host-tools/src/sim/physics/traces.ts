// Per-stroke ground truth, kept in a bounded ring of typed arrays (no allocation per
// stroke) and optionally forwarded to a caller-supplied sink.

export interface StrokeRecord {
  /** virtual time of the bottom of the stroke, s */
  time: number;
  /** true needle protrusion at the bottom of the stroke, mm */
  bottomMm: number;
  /** deepest tip position in tissue during the stroke, mm (0 if no puncture) */
  depthInTissueMm: number;
  /** the needle punctured the skin during the stroke */
  inSkin: boolean;
  /** peak coil current during the stroke, A (voice coil; 0 for the stepper) */
  peakCurrentA: number;
  /** coil / motor temperature, °C */
  coilTempC: number;
}

export type StrokeSink = (r: StrokeRecord) => void;

export class StrokeRing {
  private readonly t: Float64Array;
  private readonly bottom: Float64Array;
  private readonly depth: Float64Array;
  private readonly inSkin: Uint8Array;
  private readonly peakI: Float64Array;
  private readonly temp: Float64Array;
  private head = 0;
  /** strokes recorded since creation (not bounded) */
  count = 0;
  sink: StrokeSink | null = null;

  constructor(readonly capacity = 8192) {
    this.t = new Float64Array(capacity);
    this.bottom = new Float64Array(capacity);
    this.depth = new Float64Array(capacity);
    this.inSkin = new Uint8Array(capacity);
    this.peakI = new Float64Array(capacity);
    this.temp = new Float64Array(capacity);
  }

  push(time: number, bottomMm: number, depthMm: number, inSkin: boolean, peakI: number, tempC: number): void {
    const h = this.head;
    this.t[h] = time;
    this.bottom[h] = bottomMm;
    this.depth[h] = depthMm;
    this.inSkin[h] = inSkin ? 1 : 0;
    this.peakI[h] = peakI;
    this.temp[h] = tempC;
    this.head = h + 1 === this.capacity ? 0 : h + 1;
    this.count++;
    if (this.sink) this.sink({ time, bottomMm, depthInTissueMm: depthMm, inSkin, peakCurrentA: peakI, coilTempC: tempC });
  }

  /** Records still in the ring with time ≥ `since`, oldest first. */
  strokes(since = -Infinity): StrokeRecord[] {
    const n = Math.min(this.count, this.capacity);
    const out: StrokeRecord[] = [];
    for (let k = n; k >= 1; k--) {
      const i = (this.head - k + this.capacity) % this.capacity;
      if (this.t[i] < since) continue;
      out.push({
        time: this.t[i],
        bottomMm: this.bottom[i],
        depthInTissueMm: this.depth[i],
        inSkin: this.inSkin[i] === 1,
        peakCurrentA: this.peakI[i],
        coilTempC: this.temp[i],
      });
    }
    return out;
  }

  last(): StrokeRecord | undefined {
    if (this.count === 0) return undefined;
    const i = (this.head - 1 + this.capacity) % this.capacity;
    return {
      time: this.t[i],
      bottomMm: this.bottom[i],
      depthInTissueMm: this.depth[i],
      inSkin: this.inSkin[i] === 1,
      peakCurrentA: this.peakI[i],
      coilTempC: this.temp[i],
    };
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}
