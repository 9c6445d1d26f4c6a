// Buttons, pedal and cartridge switch: hardware-debounced watches (time stamps are
// taken in the interrupt) feeding the handset logic. All inputs are active low.
import { PinMap } from '../boards/pin-maps';
import { ButtonName } from '../app/pen-io';

export const BUTTON_DEBOUNCE_MS = 10;

export function watchHandset(
  pins: PinMap,
  onButton: (name: ButtonName, pressed: boolean, time: number) => void,
  onCartridge: (present: boolean) => void,
): void {
  const map: { [name: string]: string } = {
    run: pins.BTN_RUN, speedUp: pins.BTN_SPEED_UP, speedDown: pins.BTN_SPEED_DOWN,
    depthUp: pins.BTN_DEPTH_UP, depthDown: pins.BTN_DEPTH_DOWN, pedal: pins.PEDAL,
  };
  const names = Object.keys(map);
  for (let i = 0; i < names.length; i++) watchButton(map[names[i]], names[i] as ButtonName, onButton);
  pinMode(pins.CARTRIDGE, 'input_pullup');
  setWatch(
    function (e) {
      onCartridge(!e.state);
    },
    pins.CARTRIDGE,
    { repeat: true, edge: 'both', debounce: BUTTON_DEBOUNCE_MS },
  );
}

/** One watch per button; a function per button so each closure has its own name (Espruino shares loop `let`s). */
function watchButton(pin: string, name: ButtonName, onButton: (name: ButtonName, pressed: boolean, time: number) => void): void {
  pinMode(pin, 'input_pullup');
  setWatch(
    function (e) {
      onButton(name, !e.state, e.time);
    },
    pin,
    { repeat: true, edge: 'both', debounce: BUTTON_DEBOUNCE_MS },
  );
}
