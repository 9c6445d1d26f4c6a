// Checks made at a time by a request (status, counters, calibration record, fault log)
// or by reading the simulator (LED pins, memory estimate).
import { FAULT_NAMES } from '@stipple/protocol';
import type { Counters, FaultLog, Status } from '@stipple/protocol';
import type { LedReading } from '../led-decoder';
import type { AssertionOf, RangeSpec } from '../scenario-schema';
import { bound } from './outcome';
import type { EvalContext, Outcome } from './outcome';
import { rangeCheck } from './range';

type Probe = { t: number; value?: unknown; error?: string } | undefined;

function missing(base: { name: string; kind: string }, t: number, p: Probe, what: string): Outcome {
  return { ...base, pass: false, t, expected: what, seen: p?.error ? `request failed: ${p.error}` : 'no answer', figures: {} };
}

export function evalState(a: AssertionOf<'state'>, i: number, ctx: EvalContext): Outcome {
  const t = bound(a.state.at, ctx);
  const is = Array.isArray(a.state.is) ? a.state.is : [a.state.is];
  const expected = `state ${is.join(' or ')}${a.state.fault ? `, fault ${a.state.fault}` : ''}`;
  const base = { name: a.name ?? `${expected} at ${t} s`, kind: 'state' };
  const p = ctx.rec.probes.get(i);
  if (!p || p.value === undefined) return missing(base, t, p, expected);
  const st = p.value as Status;
  const fault = st.fault === 0 ? 'NONE' : (FAULT_NAMES[st.fault] ?? String(st.fault));
  const pass = is.includes(st.state) && (a.state.fault === undefined || a.state.fault === fault);
  return { ...base, pass, t, expected, seen: `state ${st.state}, fault ${fault}${st.running ? ', running' : ''}`, figures: {} };
}

export function evalLed(a: AssertionOf<'led'>, i: number, ctx: EvalContext): Outcome {
  const t = bound(a.led.at, ctx);
  const expected = `LED ${a.led.pattern}${a.led.blinks ? ` with ${a.led.blinks} blinks` : ''}`;
  const base = { name: a.name ?? `${expected} at ${t} s`, kind: 'led' };
  if (!ctx.sim) return { ...base, pass: true, t, expected, seen: '', figures: {}, skipped: 'needs the LED read back (simulator)' };
  const p = ctx.rec.probes.get(i);
  if (!p) return missing(base, t, p, expected);
  const r = p.value as LedReading;
  const pass = r.pattern === a.led.pattern && (a.led.blinks === undefined || r.blinks === a.led.blinks);
  return { ...base, pass, t, expected, seen: `${r.pattern}${r.blinks ? ` (${r.blinks} blinks)` : ''}: ${r.ticks.join(' ')}`, figures: {} };
}

const COUNTER_FIELDS = ['cStrokes', 'cDots', 'cRunS', 'strokes', 'runS', 'faults', 'cartridges'] as const;

export function evalCounters(a: AssertionOf<'counters'>, i: number, ctx: EvalContext, seenByLabel: Map<string, Record<string, number>>): Outcome {
  const c = a.counters;
  const t = bound(c.at, ctx);
  const base = { name: a.name ?? `counters at ${t} s`, kind: 'counters' };
  const p = ctx.rec.probes.get(i);
  if (!p || p.value === undefined) return missing(base, t, p, 'counters');
  const v = p.value as Counters;
  if (c.label) seenByLabel.set(c.label, { ...v });
  const exp: string[] = [];
  const bad: string[] = [];
  const figures: Record<string, number> = {};
  for (const k of COUNTER_FIELDS) {
    const r = c[k] as RangeSpec | undefined;
    if (r === undefined) continue;
    const chk = rangeCheck(r, v[k], ctx, seenByLabel, k);
    exp.push(`${k} ${chk.expected}`);
    figures[k] = v[k];
    if (!chk.pass) bad.push(`${k} ${v[k]}`);
  }
  const all = COUNTER_FIELDS.map((k) => `${k} ${v[k]}`).join(', ');
  return { ...base, pass: bad.length === 0, t, expected: exp.join('; '), seen: bad.length ? `${bad.join(', ')} (${all})` : all, figures };
}

export function evalCalibration(a: AssertionOf<'calibration'>, i: number, ctx: EvalContext): Outcome {
  const c = a.calibration;
  const t = bound(c.at, ctx);
  const expected = `calibration ${c.status}${c.sameAsStart ? ', the record the pen had at the start' : ''}`;
  const base = { name: a.name ?? `${expected} at ${t} s`, kind: 'calibration' };
  const p = ctx.rec.probes.get(i);
  if (!p || p.value === undefined) return missing(base, t, p, expected);
  const r = p.value as { status: string; cal: unknown };
  let pass = r.status === c.status;
  let seen = `calibration ${r.status}`;
  if (c.sameAsStart) {
    const same = r.cal !== null && ctx.rec.startCalibration !== undefined && JSON.stringify(r.cal) === ctx.rec.startCalibration;
    pass &&= same;
    seen += same ? ', the same record' : ctx.rec.startCalibration === undefined ? ', (no record at the start)' : ', a DIFFERENT record';
  }
  return { ...base, pass, t, expected, seen, figures: {} };
}

export function evalFaultLog(a: AssertionOf<'faultLog'>, i: number, ctx: EvalContext): Outcome {
  const c = a.faultLog;
  const t = bound(c.at, ctx);
  const expected = [c.maxEntries !== undefined ? `≤ ${c.maxEntries} entries` : '', c.contains ? `contains ${c.contains.join(', ')}` : ''].filter(Boolean).join(', ');
  const base = { name: a.name ?? `fault log at ${t} s`, kind: 'faultLog' };
  const p = ctx.rec.probes.get(i);
  if (!p || p.value === undefined) return missing(base, t, p, expected);
  const log = p.value as FaultLog;
  const names = log.faults.map((f) => FAULT_NAMES[f.code] ?? String(f.code));
  const pass = (c.maxEntries === undefined || log.faults.length <= c.maxEntries) && (c.contains ?? []).every((n) => names.includes(n));
  return { ...base, pass, t, expected, seen: `${log.faults.length} entries: ${names.join(', ') || 'none'}`, figures: { faultLogEntries: log.faults.length } };
}

export function evalMemory(a: AssertionOf<'memory'>, i: number, ctx: EvalContext): Outcome {
  const t = bound(a.memory.at, ctx);
  const expected = `≤ ${a.memory.maxJsVars} JsVars`;
  const base = { name: a.name ?? `memory at ${t} s`, kind: 'memory' };
  if (!ctx.sim) return { ...base, pass: true, t, expected, seen: '', figures: {}, skipped: 'needs the virtual board\'s memory estimate' };
  const p = ctx.rec.probes.get(i);
  if (!p || typeof p.value !== 'number') return missing(base, t, p, expected);
  return { ...base, pass: p.value <= a.memory.maxJsVars, t, expected, seen: `${p.value} JsVars`, figures: { jsVars: p.value } };
}
