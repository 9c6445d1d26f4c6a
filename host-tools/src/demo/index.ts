// The demo behind `stipple demo` and `npm start` (library part): firmware freshness,
// the virtual practitioner, preset runs, and the run report.
export { ensureFirmware, firmwareFreshness, REPO_ROOT } from './firmware-build';
export type { FirmwareBuild, FirmwareFreshness } from './firmware-build';
export { runDemo } from './run-demo';
export type { DemoOptions, DemoResult } from './run-demo';
export { runPreset, tissueFor, DEMO_ACCEPTANCE_UM } from './preset-run';
export type { PresetResult } from './preset-run';
export { VirtualPractitioner } from './virtual-practitioner';
export { writeDemoFiles, demoRecord, DEMO_REPORT_SCHEMA } from './demo-report';
export type { DemoFiles } from './demo-report';
export { errorStats } from './depth-stats';
export type { ErrorStats } from './depth-stats';
