// `stipple info` for people: a short labelled block, the fault log as a table.
import { colour, table } from '../output';
import type { PenInfo } from './read-pen-info';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function duration(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function faultTime(f: PenInfo['faultLog'][number]): string {
  return f.date ? f.date.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : `${f.t} s after boot`;
}

export function renderPenInfo(i: PenInfo): string {
  const fpOk = i.fingerprint === i.hostFingerprint;
  const cal = i.calibration;
  let calText: string;
  if (cal.status === 'ok') {
    const age = cal.ageDays === null ? '' : `, ${plural(cal.ageDays, 'day')} old`;
    calText = colour.ok('ok') + ` — ${cal.date ?? '?'}${age}, by ${cal.technician ?? '?'} with gauge ${cal.gaugeId ?? '?'} (firmware ${cal.firmware ?? '?'})`;
  } else {
    calText = colour.bad(cal.status) + colour.dim(' — calibrate with `stipple calibrate`');
  }
  const st = i.state;
  const stateText = (st.state === 'FAULT' ? colour.bad(st.state) : st.state === 'RUNNING' ? colour.ok(st.state) : st.state) +
    `${st.service ? ' (SERVICE)' : ''}, up ${duration(Math.round(st.uptimeMs / 1000))}`;
  const c = i.counters;
  const lines = [
    colour.bold(`pen ${i.serial} on ${i.port}`),
    `  firmware      ${i.firmware}`,
    `  protocol      v${i.protocol}, schema ${i.fingerprint} ${fpOk ? colour.ok('(matches this host)') : colour.bad(`(this host: ${i.hostFingerprint})`)}`,
    `  board         ${i.board}, drive ${i.drive}`,
    `  state         ${stateText}`,
    `  calibration   ${calText}`,
    `  latched fault ${i.latchedFault ? colour.bad(`${i.latchedFault.code} ${i.latchedFault.name}`) : colour.ok('none')}`,
    `  cartridge     ${plural(c.cStrokes, 'stroke')}, ${plural(c.cDots, 'dot')}, ${duration(c.cRunS)} running`,
    `  lifetime      ${plural(c.strokes, 'stroke')}, ${(c.runS / 3600).toFixed(1)} h running, ${plural(c.faults, 'fault')}, ${plural(c.cartridges, 'cartridge')}`,
  ];
  if (i.faultLog.length === 0) lines.push(`  fault log     ${colour.dim('empty')}`);
  else {
    lines.push(`  fault log     ${plural(i.faultLog.length, 'entry', 'entries')}, newest last:`);
    const t = table(['when', 'code', 'fault', 'context'], i.faultLog.map((f) => [faultTime(f), f.code, f.name, f.ctx]));
    lines.push(...t.split('\n').map((l) => '    ' + l));
  }
  return lines.join('\n');
}
