// What the HTML report plots for one scenario, reduced to a few thousand points per series
// (an 8-hour soak has millions of strokes): depth per stroke (true, and as the pen
// measured it), stroke rate, drive and state over time, plus the timeline and the
// assertions' verdicts as markers.
import { STATE_NAMES } from '@stipple/protocol';
import type { Outcome } from './assertions/outcome';
import type { Recording, Series } from './recording';
import type { Scenario } from './scenario-schema';

export interface PlotSeries {
  t: number[];
  /** mean per bucket (or the values when not reduced) */
  v: number[];
  /** min and max per bucket when reduced */
  lo?: number[];
  hi?: number[];
}

export interface PlotData {
  end: number;
  /** true bottom-of-stroke protrusion, mm */
  trueDepth: PlotSeries;
  /** the pen's per-stroke depths from telemetry, mm */
  penDepth: PlotSeries;
  /** the pen's setpoint from telemetry, mm */
  setpoint: PlotSeries;
  /** true strokes per second, in 0.1 s bins (coarser for long scenarios) */
  rate: PlotSeries;
  /** telemetry drive (0..1) and coil/motor current (A) */
  drive: PlotSeries;
  current: PlotSeries;
  /** state index (STATE_NAMES) as a step series from the pen's state events */
  state: PlotSeries;
  stateNames: string[];
  /** depth targets of depth assertions */
  targets: { from: number; to: number; mm: number }[];
  actions: { t: number; what: string }[];
  verdicts: { t: number; pass: boolean; name: string }[];
}

const MAX_POINTS = 3000;

/** Reduce paired series to ≤ MAX_POINTS buckets (mean, min, max). */
function reduce(t: Float64Array | number[], v: Float64Array | number[], scale = 1): PlotSeries {
  const n = t.length;
  if (n <= MAX_POINTS) return { t: Array.from(t, round6), v: Array.from(v, (x) => round6(x * scale)) };
  const out: PlotSeries = { t: [], v: [], lo: [], hi: [] };
  const per = Math.ceil(n / MAX_POINTS);
  for (let i = 0; i < n; i += per) {
    const j1 = Math.min(n, i + per);
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let c = 0;
    for (let j = i; j < j1; j++) {
      const x = v[j]!;
      if (!Number.isFinite(x)) continue;
      sum += x;
      c++;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (!c) continue;
    out.t.push(round6(t[i]!));
    out.v.push(round6((sum / c) * scale));
    out.lo!.push(round6(lo * scale));
    out.hi!.push(round6(hi * scale));
  }
  return out;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

const view = (s: Series): Float64Array => s.view();

export function plotData(s: Scenario, rec: Recording, outcomes: Outcome[]): PlotData {
  const end = rec.end;
  const st = rec.strokes;
  // rate in bins
  const bin = Math.max(0.1, end / 2000);
  const bins = Math.max(1, Math.ceil(end / bin));
  const counts = new Float64Array(bins);
  const tv = view(st.t);
  for (let i = 0; i < tv.length; i++) {
    const k = Math.floor(tv[i]! / bin);
    if (k >= 0 && k < bins) counts[k]!++;
  }
  const rate: PlotSeries = { t: [], v: [] };
  for (let k = 0; k < bins; k++) { rate.t.push(round6(k * bin)); rate.v.push(round6(counts[k]! / bin)); }
  // state steps
  const state: PlotSeries = { t: [], v: [] };
  for (const e of rec.events) {
    if (e.id !== 'state') continue;
    state.t.push(round6(e.t));
    state.v.push(STATE_NAMES.indexOf(e.body.state));
  }
  const tl = rec.telemetry;
  return {
    end,
    trueDepth: reduce(tv, view(st.mm)),
    penDepth: reduce(view(tl.strokeT), view(tl.strokeUm), 0.001),
    setpoint: reduce(view(tl.t), view(tl.setUm), 0.001),
    rate,
    drive: reduce(view(tl.t), view(tl.duty), 0.001),
    current: reduce(view(tl.t), view(tl.mA), 0.001),
    state,
    stateNames: STATE_NAMES as string[],
    targets: s.assert.flatMap((a) => ('depth' in a ? [{ from: a.depth.from === 'end' ? end : a.depth.from, to: a.depth.to === 'end' ? end : a.depth.to, mm: a.depth.targetMm }] : [])),
    actions: rec.actions.map((a) => ({ t: a.at, what: a.what })),
    verdicts: outcomes.filter((o) => !o.skipped).map((o) => ({ t: o.t, pass: o.pass, name: o.name })),
  };
}
