// What the demo leaves behind, in one folder: the calibration's three files (record,
// certificate, raw samples: writeReportFiles) and the run report — a JSON record of the
// whole demo and a small self-contained HTML page with the summary table and SVG plots of
// every preset's per-stroke depths (gauge and pen) against the setpoint.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeReportFiles } from '../calibration/report-files';
import type { ReportFiles } from '../calibration/report-files';
import { demoHtml } from './demo-html';
import type { DemoResult } from './run-demo';

export const DEMO_REPORT_SCHEMA = 'stipple-demo-report/1';

export interface DemoFiles {
  /** the calibration certificate, record and samples */
  calibration: ReportFiles;
  /** the run report */
  json: string;
  html: string;
}

/** The run report's JSON: the demo without the calibration's bulk (that is in its own files). */
export function demoRecord(r: DemoResult, extra: { wallS: number; firmware: { built: boolean; reason: string } }): Record<string, unknown> {
  const { calibrationReport: _c, samples: _s, ...rest } = r;
  return { schema: DEMO_REPORT_SCHEMA, ...rest, wallS: extra.wallS, firmwareBuild: extra.firmware };
}

export function writeDemoFiles(dir: string, r: DemoResult, extra: { wallS: number; firmware: { built: boolean; reason: string } }): DemoFiles {
  mkdirSync(dir, { recursive: true });
  const calibration = writeReportFiles(dir, r.calibrationReport, r.samples);
  const stem = `demo-${r.pen.serial}-${r.calibrationReport.date.replace(/[:]/g, '').replace(/\..*$/, '')}`;
  const files: DemoFiles = { calibration, json: path.join(dir, `${stem}.json`), html: path.join(dir, `${stem}.html`) };
  writeFileSync(files.json, JSON.stringify(demoRecord(r, extra), null, 1) + '\n');
  writeFileSync(files.html, demoHtml(r, { certificate: path.basename(calibration.html), json: path.basename(files.json), wallS: extra.wallS }));
  return files;
}
