// Depth accuracy on the simulator's true protrusion: after `settleStrokes`, the RMS and
// the worst error of the bottom of each stroke against the target.
import type { AssertionOf } from '../scenario-schema';
import { bound, f1, ts } from './outcome';
import type { EvalContext, Outcome } from './outcome';

export function evalDepth(a: AssertionOf<'depth'>, ctx: EvalContext): Outcome {
  const d = a.depth;
  const from = bound(d.from, ctx);
  const to = bound(d.to, ctx);
  const name = a.name ?? `depth ${d.targetMm} mm ${from}–${to} s`;
  const base = { name, kind: 'depth', figures: {} as Record<string, number> };
  if (!ctx.sim) return { ...base, pass: true, t: from, expected: '', seen: '', skipped: 'needs the simulator\'s depth gauge' };
  const s = ctx.rec.strokes;
  const [i0, i1] = s.range(from, to);
  const start = i0 + d.settleStrokes;
  const n = Math.max(0, i1 - start);
  if (n < d.minStrokes) {
    return { ...base, pass: false, t: from, expected: `at least ${d.minStrokes} strokes after ${d.settleStrokes} settling strokes in ${from}–${to} s`, seen: `${n} (${i1 - i0} strokes in the window)`, figures: { strokes: n } };
  }
  let sq = 0;
  let worst = 0;
  let worstT = from;
  let sum = 0;
  for (let i = start; i < i1; i++) {
    const e = Math.round((s.mm.at(i) - d.targetMm) * 1e6) / 1000; // µm, to the nm: no float noise at the 1 µm gauge grid
    sq += e * e;
    sum += e;
    if (Math.abs(e) > Math.abs(worst)) { worst = e; worstT = s.t.at(i); }
  }
  const rms = Math.sqrt(sq / n);
  const figures = { rmsUm: rms, worstUm: Math.abs(worst), meanErrUm: sum / n, strokes: n };
  const rmsOk = d.rmsUm === undefined || rms <= d.rmsUm;
  const worstOk = d.worstUm === undefined || Math.abs(worst) <= d.worstUm;
  const expected = [d.rmsUm !== undefined ? `RMS ≤ ${d.rmsUm} µm` : '', d.worstUm !== undefined ? `worst ≤ ${d.worstUm} µm` : ''].filter(Boolean).join(', ');
  const seen = `RMS ${f1(rms)} µm, worst ${worst >= 0 ? '+' : ''}${f1(worst)} µm at ${ts(worstT)}, mean ${sum / n >= 0 ? '+' : ''}${f1(sum / n)} µm over ${n} strokes`;
  return { ...base, pass: rmsOk && worstOk, t: rmsOk ? worstT : from, expected: `${expected} around ${d.targetMm} mm`, seen, figures };
}
