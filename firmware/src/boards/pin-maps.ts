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

/**
 * The pin map of one board. A switch over literals, so the pen builds only its own map in
 * RAM (the text stays in flash); PIN_MAPS below has them all for the host tools.
 */
export function pinMap(board: BoardName): PinMap {
  switch (board) {
    case 'WIFI': return {
    DRIVE_PWM: 'B4', DRIVE_PHASE: 'B5', HALL: 'A5', COIL_I: 'A6', COIL_NTC: 'A7', VSUPPLY: 'B1',
    CAM_INDEX: 'B3', STAGE_STEP: 'B6', STAGE_DIR: 'B7', STAGE_HOME: 'A10',
    BTN_RUN: 'B13', BTN_SPEED_UP: 'B14', BTN_SPEED_DOWN: 'B15', BTN_DEPTH_UP: 'A8', BTN_DEPTH_DOWN: 'B10',
    PEDAL: 'A1', CARTRIDGE: 'A0', LED_R: 'B8', LED_G: 'B9', LED_B: 'A4',
    };
    case 'MDBT42Q': return {
    DRIVE_PWM: 'D11', DRIVE_PHASE: 'D12', HALL: 'D2', COIL_I: 'D3', COIL_NTC: 'D4', VSUPPLY: 'D5',
    CAM_INDEX: 'D13', STAGE_STEP: 'D14', STAGE_DIR: 'D15', STAGE_HOME: 'D16',
    BTN_RUN: 'D17', BTN_SPEED_UP: 'D18', BTN_SPEED_DOWN: 'D19', BTN_DEPTH_UP: 'D20', BTN_DEPTH_DOWN: 'D22',
    PEDAL: 'D25', CARTRIDGE: 'D26', LED_R: 'D27', LED_G: 'D28', LED_B: 'D29',
    };
    case 'ESP32': return {
    DRIVE_PWM: 'D25', DRIVE_PHASE: 'D26', HALL: 'D36', COIL_I: 'D39', COIL_NTC: 'D34', VSUPPLY: 'D35',
    CAM_INDEX: 'D27', STAGE_STEP: 'D14', STAGE_DIR: 'D12', STAGE_HOME: 'D13',
    BTN_RUN: 'D4', BTN_SPEED_UP: 'D16', BTN_SPEED_DOWN: 'D17', BTN_DEPTH_UP: 'D18', BTN_DEPTH_DOWN: 'D19',
    PEDAL: 'D21', CARTRIDGE: 'D22', LED_R: 'D23', LED_G: 'D32', LED_B: 'D33',
    };
  }
  return {
    DRIVE_PWM: 'B4', DRIVE_PHASE: 'B5', HALL: 'A5', COIL_I: 'A6', COIL_NTC: 'A7', VSUPPLY: 'B1',
    CAM_INDEX: 'B3', STAGE_STEP: 'B6', STAGE_DIR: 'B7', STAGE_HOME: 'A10',
    BTN_RUN: 'B13', BTN_SPEED_UP: 'B14', BTN_SPEED_DOWN: 'B15', BTN_DEPTH_UP: 'A8', BTN_DEPTH_DOWN: 'B10',
    PEDAL: 'A1', CARTRIDGE: 'A0', LED_R: 'B8', LED_G: 'B9', LED_B: 'A2',
  };
}

export const PIN_MAPS: { [board: string]: PinMap } = {
  PICO: /* @__PURE__ */ pinMap('PICO'),
  WIFI: /* @__PURE__ */ pinMap('WIFI'),
  MDBT42Q: /* @__PURE__ */ pinMap('MDBT42Q'),
  ESP32: /* @__PURE__ */ pinMap('ESP32'),
};
