// Pin maps of the reference design (docs/hardware.md), one per board, kept as data.
// The hardware layer looks pins up by role; nothing else in the firmware names a pin.

/** Every signal of the reference design, by role. */
export interface PinMap {
  /** H-bridge ENABLE: 20 kHz PWM, duty = drive magnitude (voice coil). Cam stepper STEP in the stepper variant. */
  DRIVE_PWM: string;
  /** H-bridge PHASE: PWM at the stroke rate, duty = push fraction (voice coil). Cam stepper DIR/ENABLE in the stepper variant. */
  DRIVE_PHASE: string;
  /** Linear Hall sensor on the needle bar (ADC). */
  HALL: string;
  /** Coil current sense amplifier output (ADC). */
  COIL_I: string;
  /** Coil / motor NTC thermistor divider (ADC). */
  COIL_NTC: string;
  /** Supply divider (ADC). */
  VSUPPLY: string;
  /** Once-per-revolution cam index sensor (stepper variant). */
  CAM_INDEX: string;
  /** Depth stage stepper STEP / DIR (stepper variant). */
  STAGE_STEP: string;
  STAGE_DIR: string;
  /** Depth stage home switch, active low (stepper variant). */
  STAGE_HOME: string;
  /** Buttons, active low with pull-ups. */
  BTN_RUN: string;
  BTN_SPEED_UP: string;
  BTN_SPEED_DOWN: string;
  BTN_DEPTH_UP: string;
  BTN_DEPTH_DOWN: string;
  /** Foot pedal, active low. */
  PEDAL: string;
  /** Cartridge-present switch, active low. */
  CARTRIDGE: string;
  /** Status LED, active high. */
  LED_R: string;
  LED_G: string;
  LED_B: string;
}

export type BoardName = 'PICO' | 'WIFI' | 'MDBT42Q' | 'ESP32';

/** Every role, in the column order of PIN_TABLE. */
const ROLES = 'DRIVE_PWM DRIVE_PHASE HALL COIL_I COIL_NTC VSUPPLY CAM_INDEX STAGE_STEP STAGE_DIR STAGE_HOME BTN_RUN BTN_SPEED_UP BTN_SPEED_DOWN BTN_DEPTH_UP BTN_DEPTH_DOWN PEDAL CARTRIDGE LED_R LED_G LED_B';

/**
 * The pin of each role per board, in ROLES order. A table of text rather than four object
 * literals: the pen builds only its own map in RAM, and the bundle carries each role name
 * once (the MDBT42Q's Storage is small).
 *
 * docs/hardware.md has the same table with one column per role.
 */
const PIN_TABLE: { [board: string]: string } = {
  PICO:    'B4 B5 A5 A6 A7 B1 B3 B6 B7 A10 B13 B14 B15 A8 B10 A1 A0 B8 B9 A2',
  WIFI:    'B4 B5 A5 A6 A7 B1 B3 B6 B7 A10 B13 B14 B15 A8 B10 A1 A0 B8 B9 A4',
  MDBT42Q: 'D11 D12 D2 D3 D4 D5 D13 D14 D15 D16 D17 D18 D19 D20 D22 D25 D26 D27 D28 D29',
  ESP32:   'D25 D26 D36 D39 D34 D35 D27 D14 D12 D13 D4 D16 D17 D18 D19 D21 D22 D23 D32 D33',
};

/** The pin map of one board (unknown boards get the Pico's). */
export function pinMap(board: BoardName): PinMap {
  const roles = ROLES.split(' ');
  const pins = (PIN_TABLE[board] || PIN_TABLE.PICO).split(' ');
  const map: any = {};
  for (let i = 0; i < roles.length; i++) map[roles[i]] = pins[i];
  return map;
}

export const PIN_MAPS: { [board: string]: PinMap } = {
  PICO: /* @__PURE__ */ pinMap('PICO'),
  WIFI: /* @__PURE__ */ pinMap('WIFI'),
  MDBT42Q: /* @__PURE__ */ pinMap('MDBT42Q'),
  ESP32: /* @__PURE__ */ pinMap('ESP32'),
};
