// --port sim: a virtual pen running the real firmware bundle in this process, with
// somebody using it so there is something to report: the device build is calibrated
// first by the technician's routine on its own virtual rig (calibratedSimPen), then worked
// on the foot pedal by a virtual practitioner; the bench build (no handset) is run by a
// virtual bench rig; the stepper variant (not calibrated yet) just sits there with
// UNCALIBRATED latched. The pen's clock runs at `speed` × the wall clock, or as fast as
// the simulator goes (tests), and can be frozen (`freeze()`).
import { HOST_NAME } from '../../cli/port/host-name';
import { simPenOptions } from '../../cli/port/sim-pen-options';
import type { SimVariant } from '../../cli/port/sim-pen-options';
import { SimSession } from '../../cli/port/sim-session';
import { calibratedSimPen } from '../../sim/calibrated-sim-pen';
import { connectSimPen } from '../../sim/connect-sim-pen';
import type { SimPenConnection } from '../../sim/connect-sim-pen';
import type { PenPort } from '../pen-port';
import { BenchRig } from './bench-rig';
import type { BenchRigOptions } from './bench-rig';
import { VirtualPractitioner } from './virtual-practitioner';
import type { PractitionerOptions } from './virtual-practitioner';

export interface SimPenSpec {
  seed: number;
  variant: SimVariant;
  /** Virtual seconds per wall second; undefined: as fast as the simulator goes. */
  speed?: number;
  /** Who uses the pen: 'auto' (practitioner or bench rig, by build) or 'none'. */
  activity?: 'auto' | 'none';
  /** Runs, pauses and fault injections of the practitioner or rig. */
  use?: PractitionerOptions & BenchRigOptions;
  /** Longest virtual step between deliveries to the host, s (default 0.005; larger is cheaper when many pens idle). */
  sliceS?: number;
  /** Freeze the pen's clock this long after it is handed to the bridge (calibrated, greeted), virtual s: a load test's fixed span. */
  freezeAfterS?: number;
}

export class SimPenPort implements PenPort {
  readonly name: string;
  readonly reopenable = false;
  session: SimSession | undefined;
  user: VirtualPractitioner | BenchRig | undefined;
  /** The pen's clock was stopped by freeze(). */
  frozen = false;

  constructor(readonly spec: SimPenSpec) {
    this.name = `sim:${spec.seed}`;
  }

  present(): boolean {
    return true;
  }

  async open(): Promise<SimSession> {
    const { seed, variant } = this.spec;
    const base = { ...simPenOptions(seed, variant), client: { hostName: HOST_NAME }, link: this.spec.sliceS ? { sliceS: this.spec.sliceS } : undefined };
    let c: SimPenConnection;
    // dated today, as a pen calibrated for the demo would be (the bench's fixed date is for repeatable figures)
    if (variant === 'voiceCoil') c = await calibratedSimPen({ ...base, technician: 'sim technician', date: new Date() });
    else c = await connectSimPen(base);
    const s = new SimSession(c.pen, c.link, c.client, c.info);
    this.session = s;
    await s.hello(); // again: the first hello came before the calibration was written
    if (this.spec.speed !== undefined) s.pace(this.spec.speed);
    if (this.spec.freezeAfterS !== undefined) s.clock.setTimeout(() => this.freeze(), this.spec.freezeAfterS * 1000);
    if (this.spec.activity !== 'none') {
      if (c.info.drive === 'bench') this.user = new BenchRig(s, this.spec.use);
      else if (variant === 'voiceCoil') this.user = new VirtualPractitioner(s, this.spec.use);
      this.user?.start();
    }
    return s;
  }

  /** Stop the pen's clock where it is (and its user with it). */
  freeze(): void {
    this.session?.pace(0);
    this.frozen = true;
  }
}
