// Telemetry records: a positional array [mask, ...selected values, [depths]?] (limits.ts
// TLM_FIELDS). The pen builds them cheaply (firmware/src/proto/dispatcher.ts); the host
// decodes them here into keyed objects.
import { TLM_ALL, TLM_FIELDS, TLM_MAX, TLM_MIN } from './limits';

export type TelemetryField = 't' | 'setUm' | 'depthUm' | 'rate' | 'duty' | 'mA' | 'dC' | 'state' | 'fault' | 'warn' | 'inSkin' | 'n';
export type TelemetryRecord = Partial<Record<TelemetryField, number>> & { depths?: number[] };

/** Bit mask of a field selection (all fields when omitted). */
export function telemetryMask(fields?: readonly string[]): number {
  if (!fields) return TLM_ALL;
  let m = 0;
  for (const f of fields) {
    const k = TLM_FIELDS.indexOf(f);
    if (k < 0) throw new RangeError(`unknown telemetry field ${f}`);
    m |= 1 << k;
  }
  return m;
}

/** Decode a record; throws RangeError when it does not match its mask or a value is out of range. */
export function decodeTelemetry(rec: readonly unknown[]): TelemetryRecord {
  const mask = rec[0];
  if (typeof mask !== 'number' || !Number.isInteger(mask) || mask < 1 || mask > TLM_ALL) throw new RangeError('bad telemetry mask');
  const out: TelemetryRecord = {};
  let j = 1;
  for (let k = 0; k < TLM_FIELDS.length; k++) {
    if (!(mask & (1 << k))) continue;
    const v = rec[j++];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < TLM_MIN[k] || v > TLM_MAX[k]) {
      throw new RangeError(`telemetry field ${TLM_FIELDS[k]} = ${JSON.stringify(v)} out of range`);
    }
    out[TLM_FIELDS[k] as TelemetryField] = v;
  }
  if (j < rec.length) {
    const d = rec[j++];
    if (!Array.isArray(d)) throw new RangeError('telemetry: trailing value is not a depth list');
    out.depths = d as number[];
  }
  if (j !== rec.length) throw new RangeError('telemetry record too long for its mask');
  return out;
}

/** Reference encoder (the pen's is in firmware/src/proto): full values in TLM_FIELDS order. */
export function encodeTelemetry(values: readonly number[], mask: number, depths?: readonly number[]): unknown[] {
  const out: unknown[] = [mask];
  for (let k = 0; k < TLM_FIELDS.length; k++) if (mask & (1 << k)) out.push(values[k]);
  if (depths) out.push(depths.slice());
  return out;
}
