// The demo's run report as one self-contained HTML page (inline CSS and SVG, no script,
// nothing fetched): the pen, the calibration in brief (with a link to its certificate),
// the summary table of every preset run, and per preset the per-stroke depth as the gauge
// and the pen saw it against the setpoint and the acceptance band.
import { esc, svgPlot } from '../calibration/svg-plot';
import { DEMO_ACCEPTANCE_UM } from './preset-run';
import type { DemoResult } from './run-demo';

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '—');

export function demoHtml(r: DemoResult, o: { certificate: string; json: string; wallS: number }): string {
  const out: string[] = [];
  out.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stipple demo ${esc(r.pen.serial)}</title>
<style>
body{font-family:sans-serif;max-width:1180px;margin:24px auto;color:#222}
h1{font-size:22px} h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0} th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
th{background:#f4f4f4} .pass{color:#1e7d32;font-weight:bold} .fail{color:#b71c1c;font-weight:bold}
.banner{padding:10px 14px;border-radius:4px;font-size:16px;margin:12px 0}
.ok{background:#e8f5e9;border:1px solid #1e7d32} .bad{background:#ffebee;border:1px solid #b71c1c}
.plots{display:flex;flex-wrap:wrap;gap:12px} .note{color:#555;font-size:12px}
</style></head><body>`);
  out.push(`<h1>Stipple demo: a virtual pen calibrated and run on its presets</h1>`);
  out.push(r.ok ? '<div class="banner ok"><span class="pass">PASS</span> — calibrated, and every preset landed within the acceptance with no fault.</div>'
    : `<div class="banner bad"><span class="fail">FAIL</span> — ${esc(r.failure)}</div>`);
  const c = r.calibration;
  out.push(`<table><tr><th>Pen</th><td>${esc(r.pen.serial)} (seed ${r.seed}), ${esc(r.pen.drive)} on a virtual ${esc(r.pen.board)}, firmware ${esc(r.pen.firmware)}, schema ${esc(r.pen.fingerprint)}</td></tr>
<tr><th>Calibration</th><td>${c.ok ? '<span class="pass">PASS</span>' : `<span class="fail">FAIL</span> ${esc(c.failure ?? '')}`} in ${c.deviceTimeS.toFixed(1)} s of device time${c.worstUm !== null ? `, verification worst ${c.worstUm.toFixed(1)} µm` : ''}${c.gains ? `, gains kp ${c.gains.kp} ki ${c.gains.ki}` : ''} — <a href="${esc(o.certificate)}">certificate</a></td></tr>
<tr><th>Time</th><td>${r.virtualS.toFixed(1)} s of virtual time in ${o.wallS.toFixed(1)} s of wall time</td></tr></table>`);
  if (r.presets.length) {
    out.push(`<h2>Presets on the handset (mean within ±${DEMO_ACCEPTANCE_UM} µm of the setpoint, pen within ±${DEMO_ACCEPTANCE_UM} µm of the gauge)</h2>`);
    out.push('<table><tr><th>preset</th><th>set</th><th>needle, tissue</th><th>gauge − set, µm<br>mean / rms / worst</th><th>pen − set, µm<br>mean / rms / worst</th><th>rate, /s (error)</th><th>strokes / dots</th><th>faults, warnings</th><th>result</th></tr>' +
      r.presets.map((p) => `<tr><td>${p.index}: ${esc(p.name)}</td><td>${p.depthMm.toFixed(2)} mm, ${p.rate}/s</td><td>${esc(p.needle)} ${p.diaMm.toFixed(2)}, ${esc(p.tissue)}</td>` +
        `<td>${f1(p.gauge.meanUm)} / ${f1(p.gauge.rmsUm)} / ${f1(p.gauge.worstUm)} (${p.gauge.n})</td><td>${f1(p.pen.meanUm)} / ${f1(p.pen.rmsUm)} / ${f1(p.pen.worstUm)} (${p.pen.n})</td>` +
        `<td>${p.rateMeasured.toFixed(1)} (${p.rateErrorPct.toFixed(2)} %)</td><td>${p.strokes} / ${p.dots}</td>` +
        `<td>${esc([...p.faults.map((x) => x.name), ...p.warnings].join(', ') || 'none')}</td><td>${p.pass ? '<span class="pass">pass</span>' : `<span class="fail">fail</span> ${esc(p.note)}`}</td></tr>`).join('') + '</table>');
    out.push(`<p class="note">Error figures over each run after its first ${r.presets[0].settleS} s (the loop closes from below). Gauge: the virtual depth rig's per-stroke bottom of stroke (truth, 1 µm); pen: the per-stroke depths the pen reported in its telemetry.</p>`);
    out.push('<div class="plots">' + r.presets.map((p) => {
      const t = [...p.series.gauge.t, ...p.series.pen.t];
      const span = [Math.min(...t), Math.max(...t)];
      return svgPlot([
        { name: 'gauge (truth)', x: p.series.gauge.t, y: p.series.gauge.mm, style: 'points', colour: '#1f5fa8' },
        { name: 'pen (telemetry)', x: p.series.pen.t, y: p.series.pen.mm, colour: '#d68910' },
        { name: `setpoint ± ${DEMO_ACCEPTANCE_UM} µm`, x: span, y: [p.depthMm, p.depthMm], colour: '#2e8b57' },
      ], { title: `${p.name}: ${p.depthMm.toFixed(2)} mm at ${p.rate}/s on ${p.tissue} tissue`, xLabel: 's since the pedal went down', yLabel: 'bottom of stroke, mm', yRefs: [p.depthMm - DEMO_ACCEPTANCE_UM / 1000, p.depthMm + DEMO_ACCEPTANCE_UM / 1000] });
    }).join('') + '</div>');
  }
  out.push(`<p class="note">Full record: ${esc(o.json)}. The calibration's record and raw samples are beside its certificate.</p></body></html>`);
  return out.join('\n');
}
