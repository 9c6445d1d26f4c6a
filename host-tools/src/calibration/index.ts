// Technician's calibration: the library behind `stipple calibrate` (docs/calibration.md).
export { calibratePen } from './calibrate-pen';
export type { CalibratePenOptions, CalibrationResult } from './calibrate-pen';
export { restoreCalibration } from './restore-calibration';
export type { RestoreOptions } from './restore-calibration';
export { CalibrationError } from './calibration-error';
export type { StepName } from './calibration-error';
export type { CalibrationReport } from './calibration-report';
export type { ProgressEvent } from './calibration-context';
export type { Gauge, Fixture, StrokeReading } from './gauge';
export { SimGauge } from './sim-gauge';
export { ManualGauge } from './manual-gauge';
export { SerialGauge } from './serial-gauge';
export { autoTechnician } from './technician';
export type { Technician } from './technician';
export { SampleLog } from './sample-log';
export { writeReportFiles } from './report-files';
export type { ReportFiles } from './report-files';
export { certificateHtml } from './certificate-html';
