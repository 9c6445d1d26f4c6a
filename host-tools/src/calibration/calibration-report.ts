// The JSON record of one calibration (moteus-style: one file per pen serial and date):
// what was measured, fitted and decided at every step, the record written, and on a
// failure the step and reason. The certificate and the CSV are made from it.
import type { Calibration } from '@stipple/protocol';
import type { ActuatorResult } from './actuator-step';
import type { StepName } from './calibration-error';
import type { GainDerivation } from './gains';
import type { PrecheckResult } from './precheck-step';
import type { SensorResult } from './sensor-step';
import type { StageGainDerivation } from './stepper-gains';
import type { StepperIdentification } from './stepper-stage-step';
import type { StrokeResult } from './stroke-step';
import type { VerifyResult } from './verify-step';
import type { WriteResult } from './write-step';
import { resonance } from './actuator-model';

export const REPORT_SCHEMA = 'stipple-calibration-report/1';

export interface CalibrationReport {
  schema: typeof REPORT_SCHEMA;
  ok: boolean;
  failure: { step: StepName; reason: string; aborted: boolean; penSafe: boolean } | null;
  pen: { serial: string; firmware: string; board: string; drive: string; fingerprint: string };
  technician: string;
  gauge: { id: string; kind: string };
  date: string;
  /** session-clock seconds from the start to the end (device time on a simulated pen) */
  deviceTimeS: number;
  tool: string;
  precheck?: Omit<PrecheckResult, 'info'>;
  sensor?: SensorResult;
  actuator?: ActuatorResult & { resonance: { fnHz: number; zeta: number } };
  stroke?: StrokeResult;
  /** stepper: the Hall sensor, depth stage and cam, from captured strokes (instead of sensor/actuator/stroke) */
  stepper?: StepperIdentification;
  gains?: GainDerivation | StageGainDerivation;
  verification?: VerifyResult;
  /** the record written (or, on a failure after it was built, the one that was tried) */
  calibration?: Calibration;
  write?: WriteResult;
}

export function withResonance(a: ActuatorResult): ActuatorResult & { resonance: { fnHz: number; zeta: number } } {
  return { ...a, resonance: resonance(a.model) };
}
