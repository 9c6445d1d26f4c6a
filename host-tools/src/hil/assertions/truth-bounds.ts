// Bounds on the true needle: never beyond the hard limit (every stroke's bottom, and the
// protrusion sampled between slices), a needle that must stay inside, and how many true
// strokes there were.
import type { AssertionOf } from '../scenario-schema';
import { bound, f3, ts } from './outcome';
import type { EvalContext, Outcome } from './outcome';
import { rangeCheck } from './range';

/** Deepest true protrusion in [from, to]: strokes' bottoms, and the slice-sampled peak when it lies in the window. */
function deepest(ctx: EvalContext, from: number, to: number): { mm: number; t: number; strokes: number } {
  const s = ctx.rec.strokes;
  const [i0, i1] = s.range(from, to);
  let mm = -Infinity;
  let t = from;
  for (let i = i0; i < i1; i++) if (s.mm.at(i) > mm) { mm = s.mm.at(i); t = s.t.at(i); }
  const p = ctx.rec.peakProtrusion;
  if (p.t >= from && p.t <= to && p.mm > mm) { mm = p.mm; t = p.t; }
  return { mm, t, strokes: i1 - i0 };
}

export function evalHardLimit(a: AssertionOf<'hardLimit'>, ctx: EvalContext): Outcome {
  const from = bound(a.hardLimit.from, ctx);
  const to = bound(a.hardLimit.to, ctx);
  const base = { name: a.name ?? `never beyond the hard limit ${a.hardLimit.mm} mm`, kind: 'hardLimit' };
  if (!ctx.sim) return { ...base, pass: true, t: from, expected: '', seen: '', figures: {}, skipped: 'needs the simulator\'s true protrusion' };
  const d = deepest(ctx, from, to);
  const seen = d.mm === -Infinity ? 'no protrusion sampled' : `deepest ${f3(d.mm)} mm at ${ts(d.t)} (${d.strokes} strokes)`;
  return { ...base, pass: d.mm <= a.hardLimit.mm + 1e-9, t: d.t, expected: `true protrusion ≤ ${a.hardLimit.mm} mm`, seen, figures: { deepestMm: d.mm } };
}

export function evalNeedle(a: AssertionOf<'needle'>, ctx: EvalContext): Outcome {
  const from = bound(a.needle.from, ctx);
  const to = bound(a.needle.to, ctx);
  const base = { name: a.name ?? `needle stays within ${a.needle.maxProtrusionMm} mm`, kind: 'needle' };
  if (!ctx.sim) return { ...base, pass: true, t: from, expected: '', seen: '', figures: {}, skipped: 'needs the simulator\'s true protrusion' };
  const d = deepest(ctx, from, to);
  return {
    ...base, pass: d.mm <= a.needle.maxProtrusionMm + 1e-9, t: d.t, expected: `true protrusion ≤ ${a.needle.maxProtrusionMm} mm in ${from}–${to} s`,
    seen: `deepest ${f3(d.mm)} mm at ${ts(d.t)} (${d.strokes} strokes)`, figures: { deepestMm: d.mm },
  };
}

export function evalStrokes(a: AssertionOf<'strokes'>, ctx: EvalContext): Outcome {
  const from = bound(a.strokes.from, ctx);
  const to = bound(a.strokes.to, ctx);
  const base = { name: a.name ?? `true strokes ${from}–${to} s`, kind: 'strokes' };
  if (!ctx.sim) return { ...base, pass: true, t: from, expected: '', seen: '', figures: {}, skipped: 'needs the simulator\'s stroke count' };
  const [i0, i1] = ctx.rec.strokes.range(from, to);
  const c = rangeCheck(a.strokes.count, i1 - i0, ctx, new Map());
  return { ...base, pass: c.pass, t: from, expected: c.expected, seen: `${i1 - i0} strokes`, figures: { strokes: i1 - i0 } };
}
