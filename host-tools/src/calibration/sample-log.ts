// Every raw sample the calibration took, kept for the CSV beside the certificate: one row
// per sample, long format (step, point, quantity, index, time, raw, value, unit), so a
// spreadsheet or a script can re-fit anything without the tool.

export interface SampleRow {
  step: string;
  point: string;
  quantity: string;
  index: number;
  /** s from the start of the series (captures), or blank */
  timeS: number | null;
  /** raw ADC reading 0..65535, or blank */
  raw: number | null;
  value: number;
  unit: string;
}

export class SampleLog {
  readonly rows: SampleRow[] = [];

  /** One reading. */
  add(step: string, point: string, quantity: string, value: number, unit: string, raw: number | null = null): void {
    this.rows.push({ step, point, quantity, index: 0, timeS: null, raw, value, unit });
  }

  /** A captured series at `fs` Hz: raw samples and their values in `unit`. */
  series(step: string, point: string, quantity: string, fs: number, raw: readonly number[], values: readonly number[], unit: string): void {
    raw.forEach((r, i) => this.rows.push({ step, point, quantity, index: i, timeS: (i + 1) / fs, raw: r, value: values[i], unit }));
  }

  toCsv(): string {
    const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = ['step,point,quantity,index,time_s,raw,value,unit'];
    for (const r of this.rows) {
      lines.push([q(r.step), q(r.point), q(r.quantity), r.index, r.timeS === null ? '' : r.timeS.toPrecision(8), r.raw ?? '', +r.value.toPrecision(8), q(r.unit)].join(','));
    }
    return lines.join('\n') + '\n';
  }
}
