// Conversions from ADC readings (0..1 of full scale) to physical units, per the
// reference hardware in docs/hardware.md. Pure arithmetic, shared by the device HAL.

/** Coil current sense: 0.1 Ω shunt × 20 gain around mid-rail (ADC = 0.5 + 0.606·I). */
export function coilAmpsFromAdc(adc: number): number {
  return (adc - 0.5) / 0.606;
}

/** 10 kΩ NTC, B = 3950, with a 10 kΩ pull-up: ADC = R/(R + 10k). */
export function ntcCelsiusFromAdc(adc: number): number {
  if (adc <= 0.001) return 200; // shorted thermistor reads as very hot: fail safe
  if (adc >= 0.999) return -50; // open thermistor
  const r = (10000 * adc) / (1 - adc);
  return 1 / (1 / 298.15 + Math.log(r / 10000) / 3950) - 273.15;
}

/** Supply through a 1:4 divider into a 3.3 V ADC. */
export function supplyVoltsFromAdc(adc: number): number {
  return adc * 3.3 * 4;
}
