// Live plots of what the pen reports, with uPlot (a charting library made for streaming
// series): depth per stroke (setpoint and measured, from telemetry's per-stroke depths),
// stroke rate, drive (duty and coil current) and coil temperature over time. Redrawn at
// most once per animation frame; each plot keeps its last points only.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ReplyBody, TelemetryRecord } from '@stipple/protocol';
import { ntcCelsiusFromAdc } from '@stipple/firmware/hal/analog-scaling';
import { byId } from './dom';

const KEEP_STROKES = 1500;
const KEEP_POINTS = 600;

class Plot {
  readonly data: number[][];
  private readonly u: uPlot;
  private dirty = false;

  constructor(private readonly box: HTMLElement, series: uPlot.Series[], axes: uPlot.Axis[], scales: uPlot.Scales, private readonly keep: number) {
    this.data = series.map(() => []);
    this.u = new uPlot({ width: Math.max(200, box.clientWidth), height: 170, series, axes, scales, legend: { live: false } }, this.data as uPlot.AlignedData, box);
    new ResizeObserver(() => this.u.setSize({ width: Math.max(200, box.clientWidth), height: 170 })).observe(box);
    box.dataset.points = '0';
  }

  push(...row: (number | null)[]): void {
    row.forEach((v, i) => this.data[i]!.push(v as number));
    if (this.data[0]!.length > this.keep) for (const s of this.data) s.splice(0, s.length - this.keep);
    if (!this.dirty) {
      this.dirty = true;
      requestAnimationFrame(() => this.draw());
    }
  }

  clear(): void {
    for (const s of this.data) s.length = 0;
    this.draw();
  }

  private draw(): void {
    this.dirty = false;
    this.u.setData(this.data as uPlot.AlignedData);
    this.box.dataset.points = String(this.data[0]!.length);
  }
}

const line = (label: string, stroke: string, scale?: string, extra: Partial<uPlot.Series> = {}): uPlot.Series =>
  ({ label, stroke, width: 1.5, scale, points: { show: false }, ...extra });
const timeAxis: uPlot.Axis = { label: 's since connecting' };

export class LivePlots {
  private readonly depth: Plot;
  private readonly rate: Plot;
  private readonly drive: Plot;
  private readonly temp: Plot;
  private strokes = 0;
  private t0 = performance.now();

  constructor() {
    const x = { time: false };
    // the setpoint drawn over the measured depth, dashed: a closed loop keeps them within microns
    this.depth = new Plot(byId('plot-depth'), [{ label: 'stroke' }, line('measured mm', '#0a84ff', 'mm', { width: 2 }), line('set mm', '#1c1c1e', 'mm', { dash: [5, 5], width: 1 })],
      [{ label: 'stroke' }, { label: 'depth, mm', scale: 'mm', space: 24 }], { x }, KEEP_STROKES);
    this.rate = new Plot(byId('plot-rate'), [{ label: 's' }, line('strokes/s', '#34c759')], [timeAxis, { label: 'strokes/s' }], { x }, KEEP_POINTS);
    this.drive = new Plot(byId('plot-drive'), [{ label: 's' }, line('duty %', '#ff9500', '%'), line('coil A', '#af52de', 'A')],
      [timeAxis, { label: 'duty, %', scale: '%' }, { label: 'coil, A', scale: 'A', side: 1, grid: { show: false } }], { x }, KEEP_POINTS);
    this.temp = new Plot(byId('plot-temp'), [{ label: 's' }, line('coil °C', '#ff3b30')], [timeAxis, { label: '°C' }], { x }, KEEP_POINTS);
  }

  /** A new pen: empty plots, time from now. */
  reset(): void {
    this.t0 = performance.now();
    this.strokes = 0;
    for (const p of [this.depth, this.rate, this.drive, this.temp]) p.clear();
  }

  private now(): number {
    return (performance.now() - this.t0) / 1000;
  }

  telemetry(r: TelemetryRecord): void {
    const t = this.now();
    const set = r.setUm !== undefined ? r.setUm / 1000 : null;
    const depths = r.depths ?? (r.depthUm !== undefined ? [r.depthUm] : []);
    for (const d of depths) this.depth.push(++this.strokes, d / 1000, set);
    if (r.rate !== undefined) this.rate.push(t, r.rate);
    if (r.duty !== undefined || r.mA !== undefined) this.drive.push(t, r.duty !== undefined ? r.duty / 10 : null, r.mA !== undefined ? r.mA / 1000 : null);
    if (r.dC !== undefined) this.temp.push(t, r.dC / 10);
  }

  /** Polled sensors when no telemetry flows (the pen at rest): the coil temperature. */
  sensors(s: ReplyBody<'sensors'>): void {
    this.temp.push(this.now(), Math.round(ntcCelsiusFromAdc(s.ntc / 65535) * 10) / 10);
  }
}
