// What `stipple monitor` shows. On a terminal: a block of lines redrawn in place (at most
// ~10 times a second) with sparklines of depth, drive and temperature and the latest
// events; elsewhere: one plain line per record and per event; with --json: one JSON
// object per line (`kind` "tlm" for a telemetry record, else the event's name).
import type { TelemetryRecord } from '@stipple/protocol';
import type { PenEvent } from '../../link/pen-client';
import { colour } from '../output';
import { History, sparkline } from './sparkline';
import { degC, faultText, mm, pct, recordLine, stateName, warnText } from './telemetry-format';

export type ViewMode = 'tty' | 'lines' | 'json';

const CHART = 40;
const REDRAW_MS = 100;

export interface MonitorHeader {
  serial: string;
  fw: string;
  drive: string;
  port: string;
}

export class MonitorView {
  private readonly depth = new History(CHART);
  private readonly duty = new History(CHART);
  private readonly temp = new History(CHART);
  private last: TelemetryRecord | undefined;
  private state = '—';
  private events: string[] = [];
  private lost = 0;
  private noteText = '';
  records = 0;
  strokes = 0;
  private drawnLines = 0;
  private lastDraw = 0;

  constructor(private readonly mode: ViewMode, private readonly header: MonitorHeader, private readonly out: (s: string) => void = (s) => process.stdout.write(s)) {}

  record(r: TelemetryRecord, seq: number, lost: number): void {
    this.records++;
    this.strokes += r.n ?? 0;
    this.last = r;
    if (r.state !== undefined) this.state = stateName(r.state);
    this.depth.push(r.depthUm);
    this.duty.push(r.duty);
    this.temp.push(r.dC);
    this.lost = lost;
    if (this.mode === 'json') this.out(JSON.stringify({ kind: 'tlm', seq, ...r }) + '\n');
    else if (this.mode === 'lines') this.out(recordLine(r) + '\n');
    else this.draw(false);
  }

  event(e: PenEvent): void {
    if (e.id === 'tlm') return;
    if (this.mode === 'json') { this.out(JSON.stringify({ kind: e.id, seq: e.seq, ...e.body }) + '\n'); return; }
    let text: string;
    if (e.id === 'state') {
      this.state = e.body.state;
      text = `state ${e.body.prev} → ${e.body.state}${e.body.why ? ` (${e.body.why})` : ''}`;
    } else if (e.id === 'fault') text = colour.bad(`fault ${faultText(e.body.code)}${e.body.ctx ? `: ${e.body.ctx}` : ''}`);
    else text = colour.warn(`warning ${e.body.code}${e.body.ctx ? `: ${e.body.ctx}` : ''}`);
    const line = `${(e.body.t / 1000).toFixed(3)} s  ${text}`;
    if (this.mode === 'lines') { this.out(`event ${line}\n`); return; }
    this.events.push(line);
    if (this.events.length > 4) this.events.shift();
    this.draw(true);
  }

  /** A status line (waiting, stopping); shown under the view on a terminal. */
  note(s: string): void {
    if (this.mode === 'json') return;
    if (this.mode === 'lines') { this.out(s + '\n'); return; }
    this.noteText = s;
    this.draw(true);
  }

  /** Draw the final state (terminal) so the last figures stay on screen. */
  finish(): void {
    if (this.mode === 'tty') this.draw(true);
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const lines = this.render();
    const up = this.drawnLines ? `\x1b[${this.drawnLines}A` : '';
    this.out(up + '\r\x1b[J' + lines.join('\n') + '\n');
    this.drawnLines = lines.length;
  }

  render(): string[] {
    const r = this.last ?? {};
    const h = this.header;
    const err = r.depthUm !== undefined && r.setUm !== undefined ? `${r.depthUm - r.setUm >= 0 ? '+' : ''}${r.depthUm - r.setUm} µm` : '—';
    const range = (hist: History, f: (x: number) => string, unit: string): string =>
      hist.values.length ? colour.dim(`${f(hist.min)}…${f(hist.max)} ${unit}`) : '';
    const st = this.state.padEnd(10);
    const stateCol = this.state === 'FAULT' ? colour.bad(st) : this.state === 'RUNNING' ? colour.ok(st) : st;
    return [
      colour.bold(`pen ${h.serial} (${h.drive}, firmware ${h.fw}) on ${h.port}`) + colour.dim(`   t ${r.t === undefined ? '—' : (r.t / 1000).toFixed(1)} s`),
      `  state  ${stateCol}  fault ${faultText(r.fault)}   warnings ${warnText(r.warn)}`,
      `  depth  ${mm(r.depthUm).padStart(6)} mm  set ${mm(r.setUm)} mm (${err})   ${sparkline(this.depth.values, CHART)} ${range(this.depth, (x) => mm(x), 'mm')}`,
      `  rate   ${String(r.rate ?? '—').padStart(6)} /s  in skin ${r.inSkin ?? '—'} of ${r.n ?? '—'} strokes`,
      `  drive  ${pct(r.duty).padStart(6)} %   ${String(r.mA ?? '—').padStart(5)} mA            ${sparkline(this.duty.values, CHART)} ${range(this.duty, (x) => pct(x), '%')}`,
      `  temp   ${degC(r.dC).padStart(6)} °C                       ${sparkline(this.temp.values, CHART)} ${range(this.temp, (x) => degC(x), '°C')}`,
      colour.dim(`  ${this.records} records, ${this.strokes} strokes, ${this.lost} lost`),
      ...this.events.map((e) => `  ${e}`),
      ...(this.noteText ? [colour.dim(`  ${this.noteText}`)] : []),
    ];
  }
}
