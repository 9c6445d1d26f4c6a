// The simulator's truth about a pen, in the units of the calibration record, to score
// identification (tests only: the calibration itself never looks at it).
// docs/simulator.md: Hall = 0.5 + g·(0.1 + 0.8·(x + 1.5)/4.5 − 0.5) + offset (x: bar, mm),
// tip = bar + cartridge offset; COIL_I = offset + gain·I; VSUPPLY = gain·V/4/3.3.
import type { PenParameters } from '@stipple/host-tools/sim/physics/params';

export interface SimTruth {
  mmPerUnit: number;
  /** Hall reading (0..1) at zero tip protrusion */
  offset: number;
  /** coil + bridge at `coilC` */
  rOhm: number;
  kf: number;
  kNPerMm: number;
  mG: number;
  cNsPerM: number;
  /** current-sense gain over the nominal 0.606 FS/A: the pen's amperes are γ × true amperes */
  gamma: number;
  /** supply-sense gain */
  gv: number;
}

export function simTruth(p: PenParameters, coilC: number): SimTruth {
  const x = -p.cartridgeOffsetMm;
  return {
    mmPerUnit: 4.5 / (0.8 * p.hallGain),
    offset: 0.5 + p.hallGain * (0.1 + (0.8 * (x + 1.5)) / 4.5 - 0.5) + p.hallOffsetFs,
    rOhm: p.coilR20Ohm * (1 + p.coilTempcoPerK * (coilC - 20)) + p.bridgeRdsOhm,
    kf: p.kfNPerA,
    kNPerMm: p.springRateNPerMm + p.membraneRateNPerMm,
    mG: p.movingMassG,
    cNsPerM: p.dampingNsPerM,
    gamma: p.isenseGainFsPerA / 0.606,
    gv: p.vsenseGain,
  };
}
