// The `sim` gauge: the virtual pen's own rig, in process. The dial indicator is the
// physics' true needle-tip protrusion (1 µm resolution), the depth rig its per-stroke
// bottoms, and the fixture is the skin model: 'air' for identification, the `normal`
// tissue for verification (docs/simulator.md, Physics: skin).
import type { PenHardware } from '../sim/physics/pen-hardware';
import type { Fixture, Gauge, HeldReading, StrokeReading, StrokeWindow } from './gauge';

export class SimGauge implements Gauge {
  readonly kind = 'sim' as const;
  readonly strokeStat = 'mean' as const;

  constructor(private readonly hw: PenHardware, readonly id = 'SIM-RIG') {}

  async fixture(f: Fixture): Promise<void> {
    this.hw.conditions.setSkin(f === 'air' ? 'air' : 'normal');
  }

  async readHeld(_r: HeldReading): Promise<number> {
    return this.hw.gauge.protrusionMm();
  }

  async strokesBegin(): Promise<void> {}

  async strokesEnd(_label: string, w: StrokeWindow): Promise<StrokeReading> {
    const from = w.fromMs / 1000;
    const to = w.toMs / 1000;
    const s = this.hw.gauge.strokes(from).filter((r) => r.time <= to);
    const mm = s.reduce((a, r) => a + r.bottomMm, 0) / s.length;
    return { kind: 'mean', mm, strokes: s.length };
  }

  async close(): Promise<void> {}
}
