// Stroke rate from the true stroke times: strokes per second between the first and the
// last stroke of the window (after `settleS`).
import type { AssertionOf } from '../scenario-schema';
import { bound, ts } from './outcome';
import type { EvalContext, Outcome } from './outcome';

export function evalRate(a: AssertionOf<'rate'>, ctx: EvalContext): Outcome {
  const r = a.rate;
  const from = bound(r.from, ctx) + r.settleS;
  const to = bound(r.to, ctx);
  const name = a.name ?? `rate ${r.targetPerS ?? ''} ${bound(r.from, ctx)}–${to} s`.replace('  ', ' ');
  const base = { name, kind: 'rate' };
  if (!ctx.sim) return { ...base, pass: true, t: from, expected: '', seen: '', figures: {}, skipped: 'needs the simulator\'s stroke times' };
  const s = ctx.rec.strokes;
  const [i0, i1] = s.range(from, to);
  const n = i1 - i0;
  const rate = n >= 2 ? (n - 1) / (s.t.at(i1 - 1) - s.t.at(i0)) : 0;
  const lo = Math.max(r.min ?? -Infinity, r.targetPerS !== undefined ? r.targetPerS * (1 - r.tolPct / 100) : -Infinity);
  const hi = Math.min(r.max ?? Infinity, r.targetPerS !== undefined ? r.targetPerS * (1 + r.tolPct / 100) : Infinity);
  const parts: string[] = [];
  if (r.targetPerS !== undefined) parts.push(`${r.targetPerS}/s ± ${r.tolPct} %`);
  if (r.min !== undefined) parts.push(`≥ ${r.min}/s`);
  if (r.max !== undefined) parts.push(`≤ ${r.max}/s`);
  const errPct = r.targetPerS ? ((rate - r.targetPerS) / r.targetPerS) * 100 : NaN;
  return {
    ...base, pass: rate >= lo && rate <= hi, t: from,
    expected: parts.join(', ') || 'any rate',
    seen: `${rate.toFixed(2)}/s over ${n} strokes${r.targetPerS ? ` (${errPct >= 0 ? '+' : ''}${errPct.toFixed(2)} %)` : ''} from ${ts(from)}`,
    figures: { ratePerS: rate, ...(r.targetPerS ? { rateErrPct: errPct } : {}) },
  };
}
