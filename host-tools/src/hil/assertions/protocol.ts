// The protocol stayed clean: no corrupt or invalid message from the pen, no event lost,
// every telemetry record's per-stroke depths matching its count, records arriving while
// the pen runs, and the pen's console output within a byte budget.
import type { AssertionOf } from '../scenario-schema';
import { bound, ts } from './outcome';
import type { EvalContext, Outcome } from './outcome';

/** Telemetry takes a block or two to produce its first record after a start, s. */
const FIRST_RECORD_GRACE_S = 0.1;

export function evalProtocol(a: AssertionOf<'protocol'>, ctx: EvalContext): Outcome {
  const p = a.protocol;
  const from = bound(p.from, ctx);
  const to = bound(p.to, ctx);
  const base = { name: a.name ?? `protocol clean ${from}–${to} s`, kind: 'protocol' };
  const inWin = (x: { t: number }): boolean => x.t >= from && x.t <= to;
  const rec = ctx.rec;
  const figures: Record<string, number> = { telemetryRecords: 0 };
  const tt = rec.telemetry.t;
  for (let i = 0; i < tt.length; i++) if (tt.at(i) >= from && tt.at(i) <= to) figures.telemetryRecords!++;
  const fail = (t: number, expected: string, seen: string): Outcome => ({ ...base, pass: false, t, expected, seen, figures });
  if (p.noErrors) {
    const e = rec.problems.find(inWin);
    if (e) return fail(e.t, 'no protocol error', e.msg);
  }
  if (p.telemetry && ctx.scenario.host.telemetry) {
    const lost = rec.lostEvents.find(inWin);
    if (lost) return fail(lost.t, 'no event lost', lost.msg);
    const bad = rec.badRecords.find(inWin);
    if (bad) return fail(bad.t, 'per-stroke depths match each record\'s count', bad.msg);
    let worstGap = 0;
    for (const [s0, s1] of rec.running) {
      const a0 = Math.max(s0, from);
      const a1 = Math.min(s1, to);
      if (a1 - a0 < p.maxGapS) continue;
      let last = a0 + FIRST_RECORD_GRACE_S;
      const i0 = tt.lowerBound(a0);
      const i1 = tt.lowerBound(a1);
      for (let i = i0; i <= i1; i++) {
        const t = i < i1 ? tt.at(i) : a1;
        const gap = t - last;
        worstGap = Math.max(worstGap, gap);
        if (gap > p.maxGapS) {
          return fail(last, `a telemetry record at least every ${p.maxGapS} s while running (${s0.toFixed(3)}–${s1.toFixed(3)} s)`, i < i1 ? `${gap.toFixed(3)} s without a record until ${ts(t)}` : `no record for the last ${gap.toFixed(3)} s of the run`);
        }
        last = t;
      }
    }
    figures.worstGapS = worstGap;
  }
  if (p.maxBytesPerS !== undefined) {
    if (!ctx.sim) return { ...base, pass: true, t: from, expected: '', seen: '', figures, skipped: 'needs the simulator\'s console counters' };
    const c = rec.consoleBytes;
    const at = (t: number): [number, number] | undefined => c.find((x) => x[0] >= t);
    const a0 = at(from) ?? c[0];
    const a1 = [...c].reverse().find((x) => x[0] <= to) ?? c[c.length - 1];
    if (a0 && a1 && a1[0] > a0[0]) {
      const bps = (a1[1] - a0[1]) / (a1[0] - a0[0]);
      figures.bytesPerS = bps;
      if (bps > p.maxBytesPerS) return fail(from, `≤ ${p.maxBytesPerS} bytes/s from the pen`, `${bps.toFixed(0)} bytes/s`);
    }
  }
  return { ...base, pass: true, t: from, expected: 'clean', seen: `${figures.telemetryRecords} records, no error${figures.worstGapS !== undefined ? `, longest gap ${figures.worstGapS.toFixed(3)} s` : ''}`, figures };
}
