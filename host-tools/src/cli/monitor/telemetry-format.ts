// Telemetry records in the units people read: mm, %, °C, state names (the wire carries
// integers: µm, ‰, 0.1 °C, state index; protocol/src/limits.ts TLM_FIELDS).
import { STATE_NAMES, WARN_NAMES } from '@stipple/protocol';
import type { TelemetryRecord } from '@stipple/protocol';
import { faultName } from '../info/read-pen-info';

export const mm = (um: number | undefined): string => (um === undefined ? '—' : (um / 1000).toFixed(3));
export const pct = (permille: number | undefined): string => (permille === undefined ? '—' : (permille / 10).toFixed(1));
export const degC = (dC: number | undefined): string => (dC === undefined ? '—' : (dC / 10).toFixed(1));
export const stateName = (i: number | undefined): string => (i === undefined ? '—' : STATE_NAMES[i] ?? String(i));
export const faultText = (code: number | undefined): string => (!code ? 'none' : `${code} ${faultName(code)}`);

export function warnText(bits: number | undefined): string {
  if (!bits) return 'none';
  return WARN_NAMES.filter((_, k) => bits & (1 << k)).join(', ');
}

/** One plain line per record (non-TTY text output). */
export function recordLine(r: TelemetryRecord): string {
  const err = r.depthUm !== undefined && r.setUm !== undefined ? ` (${r.depthUm - r.setUm >= 0 ? '+' : ''}${r.depthUm - r.setUm} µm)` : '';
  return [
    `t ${r.t === undefined ? '—' : (r.t / 1000).toFixed(3)} s`,
    `depth ${mm(r.depthUm)} mm set ${mm(r.setUm)}${err}`,
    `rate ${r.rate ?? '—'}/s`,
    `drive ${pct(r.duty)} % ${r.mA ?? '—'} mA`,
    `${degC(r.dC)} °C`,
    stateName(r.state),
    ...(r.fault ? [`fault ${faultText(r.fault)}`] : []),
    ...(r.warn ? [`warn ${warnText(r.warn)}`] : []),
  ].join('  ');
}
