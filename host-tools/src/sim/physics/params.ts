// Part-to-part parameters of one simulated pen. Each parameter has a nominal value,
// a tolerance and a source (see docs/simulator.md, "Physics: parameters").
// `drawPenParameters(seed, true)` draws one pen from the tolerance bands with a
// deterministic PRNG; `spread: false` gives the nominal pen.
//
// Physical figures: ../../../../../shared/domain.md (depths, forces, stroke rates) and
// docs/hardware.md (the reference hardware). Units are in the field names.

import { Rng, STREAM } from './rng';

export interface PenParameters {
  // --- supply (2S Li-ion pack, docs/hardware.md) ---
  batteryRintOhm: number;
  batteryCapacityAh: number;
  quiescentA: number;
  // --- voice-coil drive (DRV8876-class bridge) ---
  coilR20Ohm: number;
  coilTempcoPerK: number;
  coilLmH: number;
  kfNPerA: number;
  bridgeRdsOhm: number;
  currentLimitA: number;
  // --- voice-coil mechanics ---
  movingMassG: number;
  springRateNPerMm: number;
  springRestMm: number;
  membraneRateNPerMm: number;
  membraneRestMm: number;
  dampingNsPerM: number;
  frictionN: number;
  stopRetractedMm: number;
  stopExtendedMm: number;
  stopStiffnessNPerMm: number;
  stopRestitution: number;
  // --- thermal (coil former, or cam motor in the stepper variant) ---
  thermalResistanceKPerW: number;
  thermalCapacityJPerK: number;
  ntcR25Ohm: number;
  ntcBetaK: number;
  ntcPullupOhm: number;
  // --- sensors ---
  hallOffsetFs: number;
  hallGain: number;
  hallNoiseFs: number;
  hallTempcoPerK: number;
  hallDelayUs: number;
  isenseOffsetFs: number;
  isenseGainFsPerA: number;
  isenseNoiseFs: number;
  vsenseGain: number;
  vsenseNoiseFs: number;
  ntcNoiseFs: number;
  cartridgeOffsetMm: number;
  // --- stepper variant ---
  stepperHoldTorqueMNm: number;
  stepperCornerRevPerS: number;
  rotorInertiaGcm2: number;
  stepperViscousUNmsPerRad: number;
  stepperSlipDampingUNmsPerRad: number;
  stepperFrictionMNm: number;
  stepperDetentMNm: number;
  stepperPowerW: number;
  camThrowMm: number;
  camOffsetMm: number;
  camIndexAngleDeg: number;
  camBarMassG: number;
  stageTravelMm: number;
  stageHomeMm: number;
  stageMaxStepRate: number;
  stageStepsPerMm: number;
}

export interface ParameterSpec {
  key: keyof PenParameters;
  nominal: number;
  /** Tolerance: relative (fraction of nominal) or absolute (same unit). 0 = no spread. */
  tol: number;
  tolKind: 'rel' | 'abs';
  /** 'normal': sigma = tol/2 truncated at ±tol; 'uniform': uniform within ±tol; 'range': uniform over [nominal, nominal+tol). */
  dist: 'normal' | 'uniform' | 'range';
  unit: string;
  source: string;
  note: string;
}

const EST = 'engineering estimate';

/** Every parameter, its nominal value, tolerance and source. Order is the draw order: append only. */
export const PARAMETER_SPECS: readonly ParameterSpec[] = [
  { key: 'batteryRintOhm', nominal: 0.15, tol: 0.3, tolKind: 'rel', dist: 'normal', unit: 'Ω', source: EST + ' (2S 18650 ≈ 2×35 mΩ + protection FETs + wiring)', note: 'pack internal resistance: sag = R·I' },
  { key: 'batteryCapacityAh', nominal: 2.0, tol: 0.05, tolKind: 'rel', dist: 'normal', unit: 'Ah', source: EST + ' (2S 18650)', note: 'state of charge integrates the supply current' },
  { key: 'quiescentA', nominal: 0.04, tol: 0.25, tolKind: 'rel', dist: 'normal', unit: 'A', source: EST, note: 'MCU + LED + sensors' },
  { key: 'coilR20Ohm', nominal: 4.0, tol: 0.05, tolKind: 'rel', dist: 'normal', unit: 'Ω', source: 'brief / magnet-wire tolerance', note: 'coil resistance at 20 °C' },
  { key: 'coilTempcoPerK', nominal: 0.00393, tol: 0, tolKind: 'rel', dist: 'normal', unit: '1/K', source: 'copper', note: 'R = R20·(1 + α(T−20))' },
  { key: 'coilLmH', nominal: 0.5, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'mH', source: 'brief; ' + EST, note: 'L/R ≈ 110 µs with the bridge' },
  { key: 'kfNPerA', nominal: 2.5, tol: 0.08, tolKind: 'rel', dist: 'normal', unit: 'N/A = V·s/m', source: EST + ' (brief ~2; raised to reach 2.0 mm at 150 strokes/s, see text); tolerance: magnet grade, gap', note: 'force constant = back-EMF constant' },
  { key: 'bridgeRdsOhm', nominal: 0.7, tol: 0.15, tolKind: 'rel', dist: 'normal', unit: 'Ω', source: 'DRV8876-class datasheet (HS+LS RDS(on) ≈ 700 mΩ)', note: 'in series with the coil in drive and brake' },
  { key: 'currentLimitA', nominal: 2.0, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'A', source: 'DRV8876-class ITRIP (resistor-set, ±10 %)', note: 'cycle-by-cycle chopping, averaged' },
  { key: 'movingMassG', nominal: 3.0, tol: 0.05, tolKind: 'rel', dist: 'normal', unit: 'g', source: EST + ' (brief ~4; lightened to reach 2.0 mm at 150 strokes/s)', note: 'needle bar + coil + needle' },
  { key: 'springRateNPerMm', nominal: 0.8, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'N/mm', source: 'brief; spring-rate tolerance ±10 %', note: 'return spring' },
  { key: 'springRestMm', nominal: -0.8, tol: 0.05, tolKind: 'abs', dist: 'normal', unit: 'mm', source: 'docs/hardware.md', note: 'return-spring rest protrusion' },
  { key: 'membraneRateNPerMm', nominal: 0.1, tol: 0.25, tolKind: 'rel', dist: 'normal', unit: 'N/mm', source: EST + ' (cartridge membrane)', note: 'present only with a cartridge seated' },
  { key: 'membraneRestMm', nominal: -0.8, tol: 0.1, tolKind: 'abs', dist: 'normal', unit: 'mm', source: EST, note: 'membrane neutral protrusion' },
  { key: 'dampingNsPerM', nominal: 0.3, tol: 0.3, tolKind: 'rel', dist: 'normal', unit: 'N·s/m', source: EST, note: 'viscous (air, grease, membrane); electrical damping Kf²/R comes on top' },
  { key: 'frictionN', nominal: 0.02, tol: 0.5, tolKind: 'rel', dist: 'normal', unit: 'N', source: EST, note: 'Coulomb friction of the bar bushing (smoothed)' },
  { key: 'stopRetractedMm', nominal: -1.2, tol: 0.03, tolKind: 'abs', dist: 'normal', unit: 'mm', source: 'docs/hardware.md', note: 'retracted hard stop' },
  { key: 'stopExtendedMm', nominal: 2.8, tol: 0.03, tolKind: 'abs', dist: 'normal', unit: 'mm', source: 'docs/hardware.md', note: 'extended hard stop' },
  { key: 'stopStiffnessNPerMm', nominal: 100, tol: 0, tolKind: 'rel', dist: 'normal', unit: 'N/mm', source: EST + ' (elastomer bumper)', note: 'contact stiffness of the stops' },
  { key: 'stopRestitution', nominal: 0.3, tol: 0.1, tolKind: 'abs', dist: 'normal', unit: '—', source: EST, note: 'coefficient of restitution at the stops' },
  { key: 'thermalResistanceKPerW', nominal: 20, tol: 0.15, tolKind: 'rel', dist: 'normal', unit: 'K/W', source: EST, note: 'coil/motor to ambient' },
  { key: 'thermalCapacityJPerK', nominal: 3.0, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'J/K', source: EST, note: 'τ = R·C ≈ 60 s (brief: ~1 min)' },
  { key: 'ntcR25Ohm', nominal: 10000, tol: 0.01, tolKind: 'rel', dist: 'normal', unit: 'Ω', source: 'NTC datasheet class (10k ±1 %)', note: 'on the coil former / motor' },
  { key: 'ntcBetaK', nominal: 3950, tol: 0.01, tolKind: 'rel', dist: 'normal', unit: 'K', source: 'NTC datasheet class (B ±1 %)', note: 'B25/50' },
  { key: 'ntcPullupOhm', nominal: 10000, tol: 0.01, tolKind: 'rel', dist: 'normal', unit: 'Ω', source: '1 % resistor', note: 'ADC = Rntc/(Rntc+Rpu)' },
  { key: 'hallOffsetFs', nominal: 0, tol: 0.05, tolKind: 'abs', dist: 'normal', unit: 'FS', source: 'docs/hardware.md (DRV5055 class: offset ±5 % FS)', note: 'added to the ADC reading' },
  { key: 'hallGain', nominal: 1, tol: 0.1, tolKind: 'abs', dist: 'normal', unit: '×', source: 'docs/hardware.md (gain ±10 % part to part)', note: 'multiplies the span 0.8 FS / 4.5 mm' },
  { key: 'hallNoiseFs', nominal: 0.0008, tol: 0.25, tolKind: 'rel', dist: 'normal', unit: 'FS rms', source: 'DRV5055 class noise + ADC, ' + EST, note: '≈ 3.3 LSB ≈ 4.5 µm rms' },
  { key: 'hallTempcoPerK', nominal: -0.0012, tol: 0, tolKind: 'rel', dist: 'normal', unit: '1/K', source: 'NdFeB remanence tempco', note: 'span drifts with coil/former temperature above 25 °C' },
  { key: 'hallDelayUs', nominal: 10, tol: 0, tolKind: 'rel', dist: 'normal', unit: 'µs', source: 'DRV5055 class bandwidth 20 kHz', note: 'sensor + ADC latency' },
  { key: 'isenseOffsetFs', nominal: 0.5, tol: 0.01, tolKind: 'abs', dist: 'normal', unit: 'FS', source: 'docs/hardware.md; amplifier offset, ' + EST, note: 'ADC = offset + gain·I' },
  { key: 'isenseGainFsPerA', nominal: 0.606, tol: 0.02, tolKind: 'rel', dist: 'normal', unit: 'FS/A', source: 'docs/hardware.md (0.1 Ω × 20 / 3.3 V); 1 % shunt + gain error', note: '' },
  { key: 'isenseNoiseFs', nominal: 0.002, tol: 0.25, tolKind: 'rel', dist: 'normal', unit: 'FS rms', source: EST + ' (20 kHz PWM ripple + amplifier)', note: '' },
  { key: 'vsenseGain', nominal: 1, tol: 0.01, tolKind: 'abs', dist: 'normal', unit: '×', source: '1 % divider resistors', note: 'ADC = gain·V/4/3.3' },
  { key: 'vsenseNoiseFs', nominal: 0.0005, tol: 0, tolKind: 'rel', dist: 'normal', unit: 'FS rms', source: 'ADC, ' + EST, note: '' },
  { key: 'ntcNoiseFs', nominal: 0.0005, tol: 0, tolKind: 'rel', dist: 'normal', unit: 'FS rms', source: 'ADC, ' + EST, note: '' },
  { key: 'cartridgeOffsetMm', nominal: 0, tol: 0.1, tolKind: 'abs', dist: 'normal', unit: 'mm', source: 'domain.md (membrane eats 0.2–0.3 mm); ' + EST, note: 'needle tip vs needle bar, per cartridge' },
  { key: 'stepperHoldTorqueMNm', nominal: 30, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'mN·m', source: 'NEMA-8 class datasheet', note: 'peak of the torque–angle curve at standstill' },
  { key: 'stepperCornerRevPerS', nominal: 30, tol: 0.15, tolKind: 'rel', dist: 'normal', unit: 'rev/s', source: EST + ' (NEMA-8 at 7.4 V, chopper drive)', note: 'pull-out T = Thold/(1+ω/ωc), ωc ∝ Vsupply' },
  { key: 'rotorInertiaGcm2', nominal: 2.5, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'g·cm²', source: 'NEMA-8 class (≈2) + cam', note: '' },
  { key: 'stepperViscousUNmsPerRad', nominal: 2, tol: 0.3, tolKind: 'rel', dist: 'normal', unit: 'µN·m·s/rad', source: EST, note: 'mechanical viscous drag on the rotor speed' },
  { key: 'stepperSlipDampingUNmsPerRad', nominal: 200, tol: 0.3, tolKind: 'rel', dist: 'normal', unit: 'µN·m·s/rad', source: EST, note: 'electrical damping of the rotor speed relative to the field (ζ ≈ 0.15)' },
  { key: 'stepperFrictionMNm', nominal: 0.5, tol: 0.5, tolKind: 'rel', dist: 'normal', unit: 'mN·m', source: EST, note: 'bearing + cam friction' },
  { key: 'stepperDetentMNm', nominal: 1.0, tol: 0.3, tolKind: 'rel', dist: 'normal', unit: 'mN·m', source: 'NEMA-8 class datasheet', note: 'holds the cam when ENABLE is low' },
  { key: 'stepperPowerW', nominal: 1.5, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'W', source: EST + ' (2 phases at rated current)', note: 'winding heat while enabled' },
  { key: 'camThrowMm', nominal: 2.5, tol: 0.03, tolKind: 'abs', dist: 'normal', unit: 'mm', source: 'docs/hardware.md', note: 'stroke length' },
  { key: 'camOffsetMm', nominal: 2.9, tol: 0.05, tolKind: 'abs', dist: 'normal', unit: 'mm', source: EST, note: 'x = stage + lift − offset' },
  { key: 'camIndexAngleDeg', nominal: 0, tol: 120, tolKind: 'abs', dist: 'range', unit: '°', source: 'assembly (index vs lobe phase is arbitrary)', note: 'rotor angle at which the index is seen, relative to a lobe minimum' },
  { key: 'camBarMassG', nominal: 1.5, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'g', source: EST, note: 'needle bar + needle on the cam' },
  { key: 'stageTravelMm', nominal: 3.2, tol: 0.05, tolKind: 'abs', dist: 'normal', unit: 'mm', source: EST, note: 'depth-stage travel from home' },
  { key: 'stageHomeMm', nominal: 0.02, tol: 0.01, tolKind: 'abs', dist: 'normal', unit: 'mm', source: EST, note: 'home switch closes below this stage position' },
  { key: 'stageMaxStepRate', nominal: 4000, tol: 0.1, tolKind: 'rel', dist: 'normal', unit: 'steps/s', source: EST, note: 'faster steps are lost' },
  { key: 'stageStepsPerMm', nominal: 1600, tol: 0.015, tolKind: 'rel', dist: 'normal', unit: 'steps/mm', source: 'docs/hardware.md (0.5 mm lead × 200 × 4); ' + EST + ' for the spread (lead-screw pitch and the stage-to-needle-bar linkage)', note: 'what the calibration measures against the gauge' },
];

/** One pen's parameters: nominal (`spread: false`) or drawn from the tolerance bands by `seed`. */
export function drawPenParameters(seed: number, spread: boolean): PenParameters {
  const rng = new Rng(seed, STREAM.spread);
  const out = {} as Record<keyof PenParameters, number>;
  for (const s of PARAMETER_SPECS) {
    // Always draw, so that turning one tolerance off does not reshuffle the others.
    let z: number;
    if (s.dist === 'uniform') z = rng.uniform(-1, 1);
    else if (s.dist === 'range') z = rng.next();
    else z = rng.truncNormal(1);
    if (!spread || s.tol === 0) {
      out[s.key] = s.nominal;
    } else {
      const delta = s.tolKind === 'rel' ? s.nominal * s.tol * z : s.tol * z;
      out[s.key] = s.nominal + delta;
    }
  }
  return out as PenParameters;
}

/** Markdown table of the parameter specs (used to write docs/simulator.md). */
export function parameterTable(): string {
  const rows = PARAMETER_SPECS.map((s) => {
    const tol =
      s.tol === 0
        ? '—'
        : s.dist === 'range'
          ? `uniform 0…${s.tol}`
          : s.tolKind === 'rel'
            ? `±${+(s.tol * 100).toFixed(1)} %`
            : `±${s.tol}`;
    const dist = s.tol === 0 ? 'fixed' : s.dist === 'normal' ? 'normal σ=tol/2, cut at ±tol' : 'uniform';
    return `| \`${s.key}\` | ${s.nominal} | ${s.unit} | ${tol} | ${dist} | ${s.source} | ${s.note} |`;
  });
  return ['| parameter | nominal | unit | tolerance | draw | source | note |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
