// The status LED as the handset shows it: the firmware's own pattern (16 ticks of 125 ms,
// firmware/src/ui/led-patterns.ts) for the pen's state, latched fault and warnings, played
// on a dot, with the pattern's name and what it tells the practitioner.
import { faultClass, LED, ledColour, ledPatternName } from '@stipple/firmware/ui/led-patterns';

const CSS: Record<number, string> = {
  [LED.OFF]: '#2b2b2b', [LED.RED]: '#ff3b30', [LED.GREEN]: '#34c759', [LED.YELLOW]: '#ffd60a',
  [LED.BLUE]: '#0a84ff', [LED.MAGENTA]: '#ff2dd4', [LED.CYAN]: '#32d7e6', [LED.WHITE]: '#ffffff',
};

const CLASS_TEXT = ['', 'sensor', 'over-current', 'over-temperature', 'supply', 'motion (tracking, jam, stall, depth limit)', 'cartridge', 'other (watchdog, storage, calibration, link, run time)'];

/** CSS colour of the firmware's LED colour number. */
export function ledCss(c: number): string {
  return CSS[c] ?? CSS[LED.OFF]!;
}

export function ledMeaning(state: number, fault: number, warn: number): string {
  const name = ledPatternName(state, warn);
  switch (name) {
    case 'fault': {
      const k = faultClass(fault);
      return `fault: ${k} red blink${k > 1 ? 's' : ''} every 2 s (${CLASS_TEXT[k]})`;
    }
    case 'service': return 'service: steady magenta (technician mode)';
    case 'boot': return 'booting: steady white';
    case 'depth-not-reached': return 'depth not reached: yellow flashing';
    case 'low-battery': return 'low battery: red, 0.5 s in every 1 s';
    case 'running': return 'running: green and cyan alternating';
    case 'ready': return 'ready: steady green';
    default: return 'idle: steady blue';
  }
}

export class LedView {
  private tick = 0;
  private s = { state: 0, fault: 0, warn: 0 };
  private timer: number | undefined;

  constructor(private readonly dot: HTMLElement, private readonly label: HTMLElement) {}

  set(state: number, fault: number, warn: number): void {
    this.s = { state, fault, warn };
    this.label.textContent = ledMeaning(state, fault, warn);
    this.dot.dataset.pattern = ledPatternName(state, warn);
    if (this.timer === undefined) this.timer = window.setInterval(() => this.step(), 125);
    this.step();
  }

  off(): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
    this.dot.style.background = ledCss(LED.OFF);
    this.dot.dataset.pattern = 'off';
    this.label.textContent = '';
  }

  private step(): void {
    this.tick = (this.tick + 1) % 16;
    this.dot.style.background = ledCss(ledColour(this.s.state, this.s.fault, this.s.warn, this.tick));
  }
}
