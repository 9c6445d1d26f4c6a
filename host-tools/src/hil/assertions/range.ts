// A value checked against a Range: an exact number, {min, max}, the simulator's truth
// (true strokes or strokes in skin in a window, ± tol), or what an earlier check saw.
import type { RangeSpec } from '../scenario-schema';
import { bound } from './outcome';
import type { EvalContext } from './outcome';

export function rangeCheck(r: RangeSpec, v: number, ctx: EvalContext, seenByLabel: Map<string, Record<string, number>>, field?: string): { pass: boolean; expected: string } {
  if (typeof r === 'number') return { pass: v === r, expected: `= ${r}` };
  if ('truth' in r) {
    if (!ctx.sim) return { pass: true, expected: 'skipped: needs the simulator' };
    const from = bound(r.from, ctx);
    const to = bound(r.to, ctx);
    const s = ctx.rec.strokes;
    const [i0, i1] = s.range(from, to);
    let n = 0;
    if (r.truth === 'strokes') n = i1 - i0;
    else for (let i = i0; i < i1; i++) n += s.inSkin.at(i);
    return { pass: Math.abs(v - n) <= r.tol, expected: `= ${n} true ${r.truth} in ${from}–${to} s${r.tol ? ` ± ${r.tol}` : ''}` };
  }
  if ('sameAs' in r) {
    const prev = seenByLabel.get(r.sameAs)?.[field ?? ''];
    if (prev === undefined) return { pass: false, expected: `= the ${field} seen by "${r.sameAs}" (not seen)` };
    return { pass: Math.abs(v - prev) <= r.tol, expected: `= ${prev} (seen by "${r.sameAs}")${r.tol ? ` ± ${r.tol}` : ''}` };
  }
  const lo = r.min ?? -Infinity;
  const hi = r.max ?? Infinity;
  return { pass: v >= lo && v <= hi, expected: [r.min !== undefined ? `≥ ${r.min}` : '', r.max !== undefined ? `≤ ${r.max}` : ''].filter(Boolean).join(' and ') };
}
