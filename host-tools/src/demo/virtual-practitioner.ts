// The practitioner at a virtual pen: what their hands do on the handset (docs/hardware.md,
// firmware/src/ui/handset.ts): speed+ and depth+ together select the next preset, the
// foot pedal runs the pen (held, or pressed to toggle, per the pen's `pedal` setting).
// Contacts bounce as real ones do; time moves only through the sim link.
import type { SimLink } from '../sim/sim-link';
import type { VirtualPen } from '../sim/virtual-pen';

/** How long a deliberate press lasts, and the pause after it, s. */
const PRESS_S = 0.08;
const PAUSE_S = 0.15;

export class VirtualPractitioner {
  constructor(private readonly pen: VirtualPen, private readonly link: SimLink) {}

  private get handset(): VirtualPen['hardware']['handset'] {
    return this.pen.hardware.handset;
  }

  /** Hold depth+, press speed+, let go: the pen moves to its next preset. */
  async nextPreset(): Promise<void> {
    this.handset.hold('BTN_DEPTH_UP');
    await this.link.advance(PRESS_S);
    this.handset.press('BTN_SPEED_UP', PRESS_S * 1000);
    await this.link.advance(PRESS_S * 2);
    this.handset.release('BTN_DEPTH_UP');
    await this.link.advance(PAUSE_S);
  }

  /** Foot on the pedal: the pen starts. */
  async pedalOn(mode: 'hold' | 'toggle'): Promise<void> {
    if (mode === 'hold') this.handset.pedalDown();
    else await this.tapPedal();
  }

  /** Foot off (or a second tap): the pen stops. */
  async pedalOff(mode: 'hold' | 'toggle'): Promise<void> {
    if (mode === 'hold') this.handset.pedalUp();
    else await this.tapPedal();
    await this.link.advance(PAUSE_S);
  }

  private async tapPedal(): Promise<void> {
    this.handset.pedalDown();
    await this.link.advance(PRESS_S);
    this.handset.pedalUp();
  }
}
