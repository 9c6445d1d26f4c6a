// One preset run on the virtual pen, as a practitioner does it: the cartridge for the
// preset's needle on the tissue it is meant for, foot on the pedal for a few seconds,
// foot off. Telemetry (per-stroke depths, as the pen measured them) is collected meanwhile,
// and the virtual gauge's per-stroke truth beside it; the first `settleS` after the pedal
// (the loop closing from below) are left out of the error figures.
import { FAULT_NAMES } from '@stipple/protocol';
import type { Preset, TelemetryRecord } from '@stipple/protocol';
import type { PenClient, PenEvent } from '../link/pen-client';
import type { TissueType } from '../sim/physics/skin';
import type { SimLink } from '../sim/sim-link';
import type { VirtualPen } from '../sim/virtual-pen';
import { errorStats } from './depth-stats';
import type { ErrorStats } from './depth-stats';
import type { VirtualPractitioner } from './virtual-practitioner';

/** The acceptance a preset run is held to: mean depth within this of the setpoint (gauge), and the pen's own mean within it of the gauge's, µm (the calibration's verification limit). */
export const DEMO_ACCEPTANCE_UM = 20;

export interface PresetRunOptions {
  pen: VirtualPen;
  link: SimLink;
  client: PenClient;
  practitioner: VirtualPractitioner;
  pedal: 'hold' | 'toggle';
  index: number;
  preset: Preset;
  /** virtual seconds with the foot on the pedal */
  seconds: number;
  /** leading seconds left out of the error figures */
  settleS: number;
  /** telemetry and events from the pen, collected by the caller since the demo began */
  telemetry: readonly TelemetryRecord[];
  events: readonly { at: number; e: PenEvent }[];
  /** the fraction of the pedal time done */
  onProgress?: (fraction: number) => void;
}

export interface PresetResult {
  index: number;
  name: string;
  depthMm: number;
  rate: number;
  needle: string;
  diaMm: number;
  tissue: TissueType;
  /** the pen's settings after the preset was selected on the handset */
  selected: { preset: number; depth: number; rate: number };
  seconds: number;
  settleS: number;
  /** bottom-of-stroke error vs the setpoint over the window: the virtual gauge (truth), the pen's own measurement */
  gauge: ErrorStats;
  pen: ErrorStats;
  /** mean of pen − gauge over the window, µm */
  penVsGaugeUm: number;
  /** stroke rate from the gauge's stroke times over the window, strokes/s, and its error, % */
  rateMeasured: number;
  rateErrorPct: number;
  /** strokes and dots (strokes in skin) the pen counted during the run (its counters), and the strokes in skin the gauge saw */
  strokes: number;
  dots: number;
  dotsGauge: number;
  /** state while the foot was still down, and at the end */
  stateRunning: string;
  stateAfter: string;
  faults: { code: number; name: string; ctx: string }[];
  warnings: string[];
  pass: boolean;
  /** why it failed ('' when it passed) */
  note: string;
  /** per-stroke bottoms for the report's plots: s since the pedal went down, mm */
  series: { gauge: { t: number[]; mm: number[] }; pen: { t: number[]; mm: number[] } };
}

/** The tissue a preset is for: scar presets on scar tissue, the rest on normal scalp. */
export function tissueFor(p: Preset): TissueType {
  return /scar/i.test(p.name) ? 'scar' : 'normal';
}

export async function runPreset(o: PresetRunOptions): Promise<PresetResult> {
  const { pen, link, client, preset } = o;
  const hw = pen.hardware;
  const tissue = tissueFor(preset);
  hw.conditions.setSkin(tissue);
  hw.conditions.setNeedle({ count: preset.needle === '3RL' ? 3 : 1, diameterMm: preset.dia });
  const cfg = await link.run(client.getConfig());
  const before = await link.run(client.getCounters());
  const tlmFrom = o.telemetry.length;
  const evFrom = o.events.length;
  const t0 = link.now;
  await o.practitioner.pedalOn(o.pedal);
  // in slices, for the caller's progress bar
  for (let done = 0; done < o.seconds - 1e-9; ) {
    const dt = Math.min(0.25, o.seconds - done);
    await link.advance(dt);
    done += dt;
    o.onProgress?.(done / o.seconds);
  }
  const stateRunning = (await link.run(client.status())).state;
  const t1 = link.now;
  await o.practitioner.pedalOff(o.pedal);
  const after = await link.run(client.getCounters());
  const stateAfter = (await link.run(client.status())).state;

  const from = t0 + o.settleS;
  const gaugeStrokes = hw.gauge.strokes(t0).filter((s) => s.time <= t1);
  const window = gaugeStrokes.filter((s) => s.time >= from);
  const penStrokes: { t: number; mm: number }[] = [];
  for (const r of o.telemetry.slice(tlmFrom)) {
    const d = r.depths ?? [];
    const tEnd = (r.t ?? 0) / 1000;
    d.forEach((um, i) => penStrokes.push({ t: tEnd - (d.length - 1 - i) / preset.rate, mm: um / 1000 }));
  }
  const penWindow = penStrokes.filter((s) => s.t >= from && s.t <= t1);
  const gauge = errorStats(window.map((s) => s.bottomMm), preset.depth);
  const penStats = errorStats(penWindow.map((s) => s.mm), preset.depth);
  const rateMeasured = window.length > 1 ? (window.length - 1) / (window[window.length - 1].time - window[0].time) : 0;
  const evs = o.events.slice(evFrom).map((x) => x.e);
  const faults = evs.flatMap((e) => (e.id === 'fault' ? [{ code: e.body.code, name: FAULT_NAMES[e.body.code] ?? String(e.body.code), ctx: e.body.ctx }] : []));
  const warnings = [...new Set(evs.flatMap((e) => (e.id === 'warn' ? [e.body.code] : [])))];
  const r: PresetResult = {
    index: o.index, name: preset.name, depthMm: preset.depth, rate: preset.rate, needle: preset.needle, diaMm: preset.dia, tissue,
    selected: { preset: cfg.preset, depth: cfg.depth, rate: cfg.rate },
    seconds: o.seconds, settleS: o.settleS, gauge, pen: penStats,
    penVsGaugeUm: penStats.meanUm - gauge.meanUm,
    rateMeasured, rateErrorPct: (rateMeasured / preset.rate - 1) * 100,
    strokes: after.cStrokes - before.cStrokes, dots: after.cDots - before.cDots, dotsGauge: gaugeStrokes.filter((s) => s.inSkin).length,
    stateRunning, stateAfter, faults, warnings, pass: false, note: '',
    series: {
      gauge: { t: gaugeStrokes.map((s) => s.time - t0), mm: gaugeStrokes.map((s) => s.bottomMm) },
      pen: { t: penStrokes.map((s) => s.t - t0), mm: penStrokes.map((s) => s.mm) },
    },
  };
  r.note = judge(r);
  r.pass = r.note === '';
  return r;
}

/** Why a preset run failed, or ''. */
function judge(r: PresetResult): string {
  if (r.faults.length) return `fault ${r.faults.map((f) => `${f.name} (${f.ctx})`).join(', ')}`;
  if (r.selected.preset !== r.index) return `the handset selected preset ${r.selected.preset}, not ${r.index}`;
  if (r.stateRunning !== 'RUNNING') return `the pen was ${r.stateRunning}, not RUNNING, with the pedal down`;
  if (r.gauge.n < 10 || r.pen.n < 10) return `too few strokes measured (gauge ${r.gauge.n}, pen ${r.pen.n})`;
  if (Math.abs(r.gauge.meanUm) > DEMO_ACCEPTANCE_UM) return `mean depth ${r.gauge.meanUm.toFixed(1)} µm from the setpoint (gauge)`;
  if (Math.abs(r.penVsGaugeUm) > DEMO_ACCEPTANCE_UM) return `the pen's mean depth is ${r.penVsGaugeUm.toFixed(1)} µm from the gauge's`;
  return '';
}
