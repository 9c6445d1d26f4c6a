// The `sim` gauge of the web console: the virtual pen's calibration rig in `stipple
// console --sim`, reached over the WebSocket's gauge channel. The rig speaks the protocol
// of `stipple sim --gauge-pty` (held readings on '?', per-stroke bottoms between 'S' and
// 'P', phantom away 'A' / to the tip 'N'), so the library's SerialGauge reads it exactly
// as `stipple calibrate --gauge serial:` reads a rig; this only names it for the record.
import type { Fixture, Gauge, HeldReading, StrokeReading, StrokeWindow } from '../../src/calibration/gauge';
import { SerialGauge } from '../../src/calibration/serial-gauge';
import type { Technician } from '../../src/calibration/technician';
import type { ByteTransport } from '../../src/link/transport';

export class SimRigGauge implements Gauge {
  readonly kind = 'sim' as const;
  readonly strokeStat = 'mean' as const;
  private readonly rig: SerialGauge;

  constructor(channel: ByteTransport, tech: Technician, readonly id = 'SIM-RIG') {
    this.rig = new SerialGauge(channel, id, tech);
  }

  fixture(f: Fixture, instructions: string): Promise<void> {
    return this.rig.fixture(f, instructions);
  }

  readHeld(r: HeldReading): Promise<number> {
    return this.rig.readHeld(r);
  }

  strokesBegin(_label: string): Promise<void> {
    return this.rig.strokesBegin();
  }

  strokesEnd(label: string, w: StrokeWindow): Promise<StrokeReading> {
    return this.rig.strokesEnd(label, w);
  }

  /** The channel stays with the socket (it closes with the pen's). */
  async close(): Promise<void> {}
}
