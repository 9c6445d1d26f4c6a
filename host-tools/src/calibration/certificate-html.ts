// The calibration certificate: one self-contained HTML page (inline CSS and SVG, nothing
// fetched) with the pen's identity, the record written, the sensor fit and its residuals,
// the stroke response the actuator was identified from, the stroke model and the
// verification table against the gauge. Made from the JSON report alone.
import type { CalibrationReport } from './calibration-report';
import { HALL_LIMITS } from './hall-fit';
import { stepperPlots, stepperRecordRows, stepperSections } from './stepper-certificate';
import { esc, PALETTE, svgPlot } from './svg-plot';
import type { Series } from './svg-plot';

export function certificateHtml(r: CalibrationReport, files: { json: string; csv: string }): string {
  const ok = r.ok;
  const parts: string[] = [];
  const row = (k: string, v: string): string => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Calibration certificate ${esc(r.pen.serial)} ${esc(r.date)}</title>
<style>
body{font-family:sans-serif;max-width:1180px;margin:24px auto;color:#222}
h1{font-size:22px;margin-bottom:4px} h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0} th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
th{background:#f4f4f4} .pass{color:#1e7d32;font-weight:bold} .fail{color:#b71c1c;font-weight:bold}
.banner{padding:10px 14px;border-radius:4px;font-size:16px;margin:12px 0}
.ok{background:#e8f5e9;border:1px solid #1e7d32} .bad{background:#ffebee;border:1px solid #b71c1c}
.plots{display:flex;flex-wrap:wrap;gap:12px} .note{color:#555;font-size:12px}
</style></head><body>`);
  parts.push(`<h1>Stipple needle-depth calibration certificate</h1>`);
  parts.push(ok
    ? `<div class="banner ok"><span class="pass">PASS</span> — calibration verified on the reference phantom and written to the pen.</div>`
    : `<div class="banner bad"><span class="fail">FAIL</span> — ${esc(r.failure?.step ?? '')}: ${esc(r.failure?.reason ?? '')}. Nothing was written; the pen keeps its previous calibration.</div>`);
  parts.push('<table>' + [
    row('Pen serial', esc(r.pen.serial)), row('Firmware', esc(r.pen.firmware)), row('Board / drive', `${esc(r.pen.board)} / ${esc(r.pen.drive)}`),
    row('Technician', esc(r.technician)), row('Gauge', `${esc(r.gauge.id)} (${esc(r.gauge.kind)})`), row('Date', esc(r.date)),
    row('Device time', `${r.deviceTimeS.toFixed(1)} s`), row('Tool', esc(r.tool)), row('Schema fingerprint', esc(r.pen.fingerprint)),
  ].join('') + '</table>');

  const cal = r.calibration;
  if (cal) {
    parts.push(`<h2>Calibration record${ok ? ' written' : ' (not written)'}</h2>`);
    const a = cal.actuator;
    parts.push('<table>' + [
      row('Hall', `mm = (raw/65535 − ${cal.hall.offset}) × ${cal.hall.mmPerUnit}`),
      cal.stroke ? row('Stroke push fraction', String(cal.stroke.push)) : '',
      ...stepperRecordRows(cal),
      a ? row('Actuator', `R ${a.r} Ω, kf ${a.kf} N/A, k ${a.k} N/mm, m ${a.m} g, c ${a.c} N·s/m`) : '',
      row('Loop gains', `kp ${cal.gains.kp}, ki ${cal.gains.ki}${r.gains ? ` (error × ${r.gains.contraction.toFixed(2)} per block at the design corners)` : ''}`),
    ].join('') + '</table>');
    if (cal.stroke) {
      parts.push('<table><tr><th>rate, strokes/s</th>' + cal.stroke.rates.map((x) => `<td>${x}</td>`).join('') + '</tr><tr><th>gain, mm per unit drive</th>' +
        cal.stroke.gain.map((x) => `<td>${x.toFixed(4)}</td>`).join('') + '</tr><tr><th>offset, mm</th>' + cal.stroke.offset.map((x) => `<td>${x.toFixed(4)}</td>`).join('') + '</tr></table>');
      parts.push('<p class="note">In-air bottom of stroke = gain·u + offset, u = duty·V/7.4 (drive normalised to the nominal supply).</p>');
    }
  }

  const plots: string[] = [];
  if (r.sensor) {
    const s = r.sensor;
    const raws = s.fitPoints.map((p) => p.raw / 65535);
    const lo = Math.min(...raws);
    const hi = Math.max(...raws);
    plots.push(svgPlot([
      { name: 'held positions (gauge)', x: s.points.map((p) => p.raw / 65535), y: s.points.map((p) => p.gaugeMm), style: 'points' },
      { name: 'fit', x: [lo, hi], y: [lo, hi].map((v) => (v - s.fit.offset) * s.fit.mmPerUnit) },
    ], { title: 'Hall sensor fit', xLabel: 'Hall reading, fraction of full scale', yLabel: 'needle protrusion (gauge), mm' }));
    plots.push(svgPlot([{ name: 'gauge − fit', x: s.fitPoints.map((p) => p.gaugeMm), y: s.fit.residualsUm, style: 'points' }],
      { title: `Fit residuals (${s.fit.rmsUm.toFixed(1)} µm rms)`, xLabel: 'needle protrusion, mm', yLabel: 'residual, µm', yRefs: [-HALL_LIMITS.maxUm, HALL_LIMITS.maxUm] }));
  }
  if (r.actuator) {
    // the largest stroke at each capture rate (every capture is in the JSON record and the CSV)
    const caps = [...new Set(r.actuator.captures.map((c) => c.rate))].map((rate) =>
      r.actuator!.captures.filter((c) => c.rate === rate).reduce((a, c) => (c.duty > a.duty ? c : a)));
    const pos: Series[] = [];
    const cur: Series[] = [];
    caps.forEach((c, i) => {
      const t = c.xMm.map((_, j) => ((j + 1) / c.fs) * 1000);
      pos.push({ name: `measured, ${c.rate}/s drive ${c.duty.toFixed(2)}`, x: t, y: c.xMm, colour: ['#1f5fa8', '#2e8b57'][i % 2] });
      pos.push({ name: `model, ${c.rate}/s drive ${c.duty.toFixed(2)}`, x: t, y: c.modelMm, colour: ['#c0392b', '#d68910'][i % 2] });
      cur.push({ name: `coil current, ${c.rate}/s drive ${c.duty.toFixed(2)}`, x: t, y: c.amps });
    });
    const brakes = caps.map((c) => `${((c.push / c.rate) * 1000).toFixed(1)} ms at ${c.rate}/s`).join(', ');
    plots.push(svgPlot(pos, { title: `Step response: push on at 0 ms, brake at ${brakes}`, xLabel: 'time, ms', yLabel: 'needle protrusion, mm' }));
    plots.push(svgPlot(cur, { title: 'Coil current during the stroke (back-EMF)', xLabel: 'time, ms', yLabel: 'current, A' }));
  }
  if (r.stroke) {
    const st = r.stroke;
    const series: Series[] = [];
    for (const [i, rate] of st.model.rates.entries()) {
      const pts = st.points.filter((p) => p.rate === rate);
      const us = pts.map((p) => (p.duty * p.volts) / 7.4);
      const colour = PALETTE[i % PALETTE.length];
      series.push({ name: `${rate}/s: measured (points), model (line)`, x: us, y: pts.map((p) => p.bottomMm), style: 'points', colour });
      series.push({ name: '', x: us, y: us.map((u) => st.model.gain[i] * u + st.model.offset[i]), colour, legend: false });
    }
    plots.push(svgPlot(series, { title: 'Stroke model (in air)', xLabel: 'normalised drive u', yLabel: 'bottom of stroke, mm', height: 340 }));
  }
  if (r.stepper) plots.push(...stepperPlots(r.stepper));
  if (plots.length) parts.push(`<h2>Plots</h2><div class="plots">${plots.join('')}</div>`);

  if (r.sensor) {
    const s = r.sensor;
    parts.push('<h2>Sensor checks</h2><table>' + [
      row('Fit residuals', `${s.fit.rmsUm.toFixed(1)} µm rms, ${s.fit.maxUm.toFixed(1)} µm max (limits ${HALL_LIMITS.rmsUm} / ${HALL_LIMITS.maxUm} µm)`),
      row('Noise', `${s.noiseFs.toFixed(5)} of full scale rms (limit ${HALL_LIMITS.noiseFs})`),
      row('Rest (drive off)', `${s.restMm.toFixed(3)} mm`),
      row('Extended end stop', s.extendedStop ? `${s.extendedStop.mm.toFixed(3)} mm at drive ${s.extendedStop.duty.toFixed(2)}, Hall ${s.extendedStop.hallFs.toFixed(3)} FS` : esc(s.stopNote)),
      row('Positions held', String(s.points.length)),
    ].join('') + '</table>');
  }
  if (r.actuator) {
    const a = r.actuator;
    parts.push('<h2>Actuator identification</h2><table>' + [
      row('Loop resistance (coil + bridge)', `${a.model.rOhm.toFixed(3)} Ω (holds, ${a.drive.points} points, ${(a.drive.rRelRms * 100).toFixed(2)} % rms)`),
      row('Force constant (back-EMF)', `${a.model.kf.toFixed(3)} N/A, L ${(a.backEmf.lH * 1000).toFixed(3)} mH (R taken to each stroke's coil temperature, ${Math.min(...a.captures.map((c) => c.coilC)).toFixed(1)}–${Math.max(...a.captures.map((c) => c.coilC)).toFixed(1)} °C; holds at ${a.drive.coilC.toFixed(1)} °C)`),
      row('Spring rate', `${a.model.kNPerMm.toFixed(3)} N/mm (stroke); ${a.kStaticNPerMm.toFixed(3)} N/mm (holds)`),
      row('Moving mass / damping / friction', `${a.model.mG.toFixed(3)} g / ${a.model.cNsPerM.toFixed(3)} N·s/m / ${(a.model.frictionN * 1000).toFixed(1)} mN`),
      row('Resonance', `${a.resonance.fnHz.toFixed(1)} Hz, damping ratio ${a.resonance.zeta.toFixed(2)} (braking bridge)`),
      row('Model fit', `${a.dynamics.rmsUm.toFixed(1)} µm rms over ${a.captures.length} captured strokes (50/s and ${a.resonantRate}/s, the rate nearest the resonance), ${a.dynamics.harmonicsUsed} harmonics, channel skew ${a.dynamics.skewUs.toFixed(0)} µs`),
    ].join('') + '</table>');
  }
  if (r.stepper) parts.push(...stepperSections(r, r.stepper));
  if (r.verification) {
    const v = r.verification;
    parts.push(`<h2>Verification on the reference phantom (acceptance ±${v.acceptanceUm} µm)</h2>`);
    parts.push('<table><tr><th>setpoint, mm</th><th>rate, /s</th><th>gauge, mm</th><th>pen, mm</th><th>gauge − set, µm</th><th>pen − gauge, µm</th><th>strokes</th><th>result</th></tr>' +
      v.points.map((p) => `<tr><td>${p.depthMm.toFixed(2)}</td><td>${p.rate}</td><td>${p.gaugeMm.toFixed(3)} (${p.gaugeKind})</td><td>${p.penMm.toFixed(3)}</td><td>${p.errorUm === null ? '—' : p.errorUm.toFixed(1)}</td><td>${p.penVsGaugeUm.toFixed(1)}</td><td>${p.strokes || '—'}</td><td>${p.pass ? '<span class="pass">pass</span>' : `<span class="fail">fail</span> ${esc(p.note)}`}</td></tr>`).join('') + '</table>');
    parts.push(`<p class="note">Worst deviation ${v.worstUm.toFixed(1)} µm. Gauge: mean bottom of stroke over a ${'300 ms'} window after the loop settled (max-hold gauges: deepest stroke of the run, compared with the pen's deepest).</p>`);
  }
  if (r.precheck?.previous) {
    const p = r.precheck.previous;
    parts.push(`<h2>Previous calibration</h2><p>${p.cal ? `${esc(p.cal.meta.date)} by ${esc(p.cal.meta.technician)} (gauge ${esc(p.cal.meta.gaugeId)}): kept by the pen, restore with <code>stipple calibrate --restore</code>` : `none (${esc(p.status)})`}</p>`);
  }
  parts.push(`<p class="note">Full record: ${esc(files.json)}; raw samples: ${esc(files.csv)}.</p></body></html>`);
  return parts.join('\n');
}
