// The virtual handset (stipple console --sim only): the trainer's hands on the virtual
// pen. Buttons go down and up as they are pressed (long presses and two buttons together
// work as on the real handset), the common gestures have their own buttons, the pedal and
// the cartridge switch, and fault injection to show what each fault looks like. The LED
// here is the virtual pen's own, as its pins drive it.
import { FAULT_KINDS, HANDSET_BUTTONS } from '../../src/console/console-messages';
import type { ClientMessage, HandsetButton, HandsetStatus } from '../../src/console/console-messages';
import { byId, el } from './dom';

/** Shortest press sent: a click is shorter than the firmware's debounce. */
const MIN_PRESS_MS = 120;

const BUTTON_TEXT: Record<HandsetButton, string> = { run: 'Run / stop', speedUp: 'Speed +', speedDown: 'Speed −', depthUp: 'Depth +', depthDown: 'Depth −' };

const FAULT_TEXT: Record<(typeof FAULT_KINDS)[number], string> = {
  hallDisconnected: 'position sensor unplugged → SENSOR_RANGE',
  hallStuck: 'position sensor frozen → SENSOR_STUCK while driving',
  hallNoisy: 'noisy position sensor → SENSOR_RANGE ("hall noisy") when driven (voice coil)',
  coilOpen: 'coil open → TRACKING ("coil open") when driven',
  coilShorted: 'coil shorted → OVER_CURRENT when driven',
  supplySag: 'battery sags 1 V → low-battery warning, UNDER_VOLTAGE running',
  brownout: 'supply dips to 3 V for 5 ms → reset; BROWN_OUT if it was running',
  overTemp: 'blocked cooling → OVER_TEMP after a long run',
  jam: 'needle jammed → JAM when driven',
  cartridgePulled: 'cartridge pulled out → CARTRIDGE_REMOVED if running',
  stall: 'stepper stall (stepper pens)',
};

export class HandsetPanel {
  private readonly box = byId('handset-panel');
  private readonly led = byId('handset-led');
  private readonly injected = byId('injected');
  private readonly cartridge = byId<HTMLInputElement>('cartridge');
  private readonly pedal = byId<HTMLButtonElement>('pedal');
  private send: ((m: ClientMessage) => void) | undefined;

  constructor() {
    const buttons = byId('handset-buttons');
    for (const b of HANDSET_BUTTONS) buttons.append(this.button(b));
    this.gesture('gesture-preset', 'Next preset (speed + and depth + together)', [['speedUp', 'depthUp']], 300);
    this.gesture('gesture-clear', 'Clear fault (hold speed − and depth − for 2 s)', [['speedDown', 'depthDown']], 2200);
    this.gesture('gesture-estop', 'E-stop (hold run for 1 s)', [['run']], 1200);
    this.holdable(this.pedal, () => this.send?.({ t: 'pedal', down: true }), () => this.send?.({ t: 'pedal', down: false }));
    this.cartridge.addEventListener('change', () => this.send?.({ t: 'cartridge', seated: this.cartridge.checked }));
    const kind = byId<HTMLSelectElement>('fault-kind');
    kind.replaceChildren(...FAULT_KINDS.map((k) => el('option', { value: k }, `${k}: ${FAULT_TEXT[k]}`)));
    byId('inject').addEventListener('click', () => this.send?.({ t: 'fault', kind: kind.value as (typeof FAULT_KINDS)[number], on: true }));
    byId('uninject').addEventListener('click', () => this.send?.({ t: 'fault', kind: kind.value as (typeof FAULT_KINDS)[number], on: false }));
  }

  /** Show it for a virtual pen (with the socket's sender), hide it otherwise. */
  attach(send: ((m: ClientMessage) => void) | undefined): void {
    this.send = send;
    this.box.hidden = !send;
  }

  update(s: HandsetStatus): void {
    const c = (v: number): number => Math.round(40 + 215 * v);
    const on = s.led.r + s.led.g + s.led.b > 0;
    this.led.style.background = on ? `rgb(${s.led.r ? c(s.led.r) : 30}, ${s.led.g ? c(s.led.g) : 30}, ${s.led.b ? c(s.led.b) : 30})` : '#2b2b2b';
    this.cartridge.checked = s.cartridge;
    this.pedal.classList.toggle('down', s.pedal);
    for (const b of HANDSET_BUTTONS) byId(`btn-${b}`).classList.toggle('down', s.held.includes(b));
    this.injected.textContent = s.faults.length ? `injected: ${s.faults.join(', ')}` : 'no fault injected';
    this.injected.dataset.faults = s.faults.join(',');
  }

  private button(b: HandsetButton): HTMLButtonElement {
    const btn = el('button', { id: `btn-${b}`, class: 'hs-button' }, BUTTON_TEXT[b]);
    this.holdable(btn, () => this.send?.({ t: 'button', button: b, action: 'down' }), () => this.send?.({ t: 'button', button: b, action: 'up' }));
    return btn;
  }

  /** Down on pointer down, up on release (at least MIN_PRESS_MS later). */
  private holdable(btn: HTMLElement, down: () => void, up: () => void): void {
    let t0 = 0;
    let isDown = false;
    btn.addEventListener('pointerdown', (e) => {
      if (isDown) return;
      isDown = true;
      t0 = performance.now();
      btn.setPointerCapture(e.pointerId);
      down();
    });
    const release = (): void => {
      if (!isDown) return;
      isDown = false;
      window.setTimeout(up, Math.max(0, MIN_PRESS_MS - (performance.now() - t0)));
    };
    btn.addEventListener('pointerup', release);
    btn.addEventListener('pointercancel', release);
  }

  private gesture(id: string, text: string, groups: HandsetButton[][], ms: number): void {
    const btn = el('button', { id, class: 'gesture' }, text);
    btn.addEventListener('click', () => {
      for (const g of groups) for (const b of g) this.send?.({ t: 'button', button: b, action: 'press', ms });
    });
    byId('handset-gestures').append(btn);
  }
}
