// The three files of a calibration, side by side and named by pen serial and date:
// <serial>-<date>.json (the record), .html (the certificate), .csv (raw samples).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { certificateHtml } from './certificate-html';
import type { CalibrationReport } from './calibration-report';
import type { SampleLog } from './sample-log';

export interface ReportFiles {
  json: string;
  html: string;
  csv: string;
}

export function writeReportFiles(dir: string, report: CalibrationReport, samples: SampleLog): ReportFiles {
  mkdirSync(dir, { recursive: true });
  const stem = `${report.pen.serial}-${report.date.replace(/[:]/g, '').replace(/\..*$/, '')}${report.ok ? '' : '-FAILED'}`;
  const files: ReportFiles = {
    json: path.join(dir, `${stem}.json`),
    html: path.join(dir, `${stem}.html`),
    csv: path.join(dir, `${stem}.csv`),
  };
  writeFileSync(files.json, JSON.stringify(report, null, 1) + '\n');
  writeFileSync(files.csv, samples.toCsv());
  writeFileSync(files.html, certificateHtml(report, { json: path.basename(files.json), csv: path.basename(files.csv) }));
  return files;
}
