// `stipple monitor --csv FILE`: every telemetry record as a CSV row, in the wire's units
// (µm, ‰, mA, 0.1 °C, state index), with the host's time since the start and the event seq.
import { closeSync, openSync, writeSync } from 'node:fs';
import { TLM_FIELDS } from '@stipple/protocol';
import type { TelemetryRecord } from '@stipple/protocol';

export class CsvRecorder {
  private readonly fd: number;
  rows = 0;

  /** Creates (or truncates) `file`; throws the file system's error. */
  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
    writeSync(this.fd, ['hostMs', 'seq', ...TLM_FIELDS].join(',') + '\n');
  }

  add(hostMs: number, seq: number, r: TelemetryRecord): void {
    const rec = r as Record<string, number | undefined>;
    writeSync(this.fd, [Math.round(hostMs), seq, ...TLM_FIELDS.map((f) => rec[f] ?? '')].join(',') + '\n');
    this.rows++;
  }

  close(): void {
    closeSync(this.fd);
  }
}
