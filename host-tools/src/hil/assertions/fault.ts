// A fault is detected, latched and made safe: the pen reports the expected fault within
// N ms of its cause; from `safeWithinMs` after the latch the simulator's truth shows the
// needle retracted (protrusion < 0) and the drive off (drive pins low, no coil current),
// and it stays so, in state FAULT, for `latchedForS` or until someone clears it.
import { FAULT_NAMES } from '@stipple/protocol';
import type { AssertionOf } from '../scenario-schema';
import { bound, f3, ts } from './outcome';
import type { EvalContext, Outcome } from './outcome';

const name = (code: number): string => FAULT_NAMES[code] ?? `fault ${code}`;

/** Times at which a person or the rig ends a latched fault: a clear (handset or host) or a power event. */
function clearTimes(ctx: EvalContext): number[] {
  return ctx.rec.actions.filter((a) => /clearFault|^power|power loss/.test(a.what)).map((a) => a.at);
}

export function evalFault(a: AssertionOf<'fault'>, ctx: EvalContext): Outcome {
  const f = a.fault;
  const codes = Array.isArray(f.code) ? f.code : [f.code];
  const after = typeof f.after === 'number' ? f.after : (ctx.rec.actions.find((x) => x.label === f.after)?.at ?? NaN);
  const base = { name: a.name ?? `${codes.join('|')} latches within ${f.withinMs} ms`, kind: 'fault' };
  const faults = ctx.rec.events.filter((e) => e.id === 'fault' && (e.latchT ?? e.t) >= after - 1e-3);
  const first = faults[0];
  if (!first || first.id !== 'fault') {
    return { ...base, pass: false, t: after, expected: `${codes.join(' or ')} within ${f.withinMs} ms of ${ts(after)}`, seen: 'no fault reported by the pen', figures: {} };
  }
  const latchT = first.latchT ?? first.t;
  const ms = (latchT - after) * 1000;
  const got = name(first.body.code);
  const figures: Record<string, number> = { latchMs: ms };
  if (!codes.includes(got) || ms > f.withinMs) {
    return {
      ...base, pass: false, t: latchT, expected: `${codes.join(' or ')} within ${f.withinMs} ms of ${ts(after)}`,
      seen: `${got} (${first.body.ctx}) ${ms.toFixed(1)} ms after`, figures,
    };
  }
  if (!ctx.sim) return { ...base, pass: true, t: latchT, expected: `${codes.join(' or ')} within ${f.withinMs} ms`, seen: `${got} after ${ms.toFixed(1)} ms (safety not checked: no simulator truth)`, figures };
  // the truth after the latch
  const idx = ctx.rec.safety.findIndex((s) => Math.abs(s.latchT - latchT) < 1e-6 && s.code === first.body.code);
  const samples = ctx.safetySamples.get(idx) ?? [];
  const safeFrom = latchT + f.safeWithinMs / 1000;
  const clear = clearTimes(ctx).find((t) => t > latchT) ?? Infinity;
  const until = Math.min(latchT + f.latchedForS, clear, bound('end', ctx));
  const judged = samples.filter((s) => s.t >= safeFrom - 1e-9 && s.t <= until);
  if (judged.length === 0) {
    return { ...base, pass: false, t: safeFrom, expected: `truth sampled from ${ts(safeFrom)}`, seen: `no sample (${samples.length} samples after the latch)`, figures };
  }
  const gap = judged[0]!.t - safeFrom;
  const bad = judged.find((s) => (f.retracted && s.protrusionMm >= 0) || s.driveWhy !== '');
  figures.firstSafeCheckMs = (judged[0]!.t - latchT) * 1000;
  if (gap > 0.02) {
    return { ...base, pass: false, t: safeFrom, expected: `truth sampled within 20 ms of ${ts(safeFrom)}`, seen: `first sample ${(gap * 1000).toFixed(1)} ms later`, figures };
  }
  if (bad) {
    return {
      ...base, pass: false, t: bad.t, expected: `${f.retracted ? 'needle retracted (protrusion < 0) and ' : ''}drive off from ${f.safeWithinMs} ms after the latch at ${ts(latchT)}`,
      seen: `protrusion ${f3(bad.protrusionMm)} mm${bad.driveWhy ? `, drive on: ${bad.driveWhy}` : ', drive off'} at ${ts(bad.t)}`, figures,
    };
  }
  // stays latched
  const left = ctx.rec.events.find((e) => e.id === 'state' && e.t > latchT && e.t < until && e.body.prev === 'FAULT');
  if (left && left.id === 'state') {
    return { ...base, pass: false, t: left.t, expected: `still FAULT until ${ts(until)} (no clear before)`, seen: `state ${left.body.state} at ${ts(left.t)}`, figures };
  }
  const last = judged[judged.length - 1]!;
  return {
    ...base, pass: true, t: latchT, expected: `${codes.join(' or ')} within ${f.withinMs} ms, safe within ${f.safeWithinMs} ms, latched ${f.latchedForS} s`,
    seen: `${got} after ${ms.toFixed(1)} ms; ${f.retracted ? 'retracted' : 'needle at'} (${f3(judged[0]!.protrusionMm)} mm) and drive off at +${figures.firstSafeCheckMs!.toFixed(0)} ms, still at ${ts(last.t)} (${f3(last.protrusionMm)} mm)`,
    figures,
  };
}

export function evalNoFault(a: AssertionOf<'noFault'>, ctx: EvalContext): Outcome {
  const from = bound(a.noFault.from, ctx);
  const to = bound(a.noFault.to, ctx);
  const base = { name: a.name ?? `no fault ${from}–${to} s`, kind: 'noFault' };
  const f = ctx.rec.events.find((e) => e.id === 'fault' && (e.latchT ?? e.t) >= from && (e.latchT ?? e.t) <= to);
  if (f && f.id === 'fault') {
    return { ...base, pass: false, t: f.latchT ?? f.t, expected: `no fault in ${from}–${to} s`, seen: `${name(f.body.code)} (${f.body.ctx}) at ${ts(f.latchT ?? f.t)}`, figures: {} };
  }
  return { ...base, pass: true, t: from, expected: `no fault in ${from}–${to} s`, seen: 'none', figures: {} };
}
