// The stepper's parts of the calibration certificate (certificate-html.ts): the record's
// stage, the plots (Hall fit and residuals, stage fit and residuals, the captured strokes
// through the new Hall calibration) and the tables of the stage, the cam and the gain's
// derivation. Made from the JSON report alone.
import type { Calibration } from '@stipple/protocol';
import type { CalibrationReport } from './calibration-report';
import { HALL_LIMITS } from './hall-fit';
import type { StageGainDerivation } from './stepper-gains';
import type { StepperIdentification } from './stepper-stage-step';
import { STAGE_LIMITS } from './stepper-stage-fit';
import { esc, PALETTE, svgPlot } from './svg-plot';
import type { Series } from './svg-plot';

const row = (k: string, v: string): string => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;

/** Rows of the record table for a stepper record. */
export function stepperRecordRows(cal: Calibration): string[] {
  const s = cal.stage;
  if (!s) return [];
  return [
    row('Depth stage', `bottom of stroke = ${s.depthAtHome} mm + steps / ${s.stepsPerMm} steps/mm`),
    row('Cam', `${s.stepsPerRev} steps per revolution, ${s.lobes} lobes (strokes per revolution)`),
  ];
}

export function stepperPlots(id: StepperIdentification): string[] {
  const plots: string[] = [];
  const h = id.hall;
  const raws = h.fitPoints.map((p) => p.raw / 65535);
  const lo = Math.min(...raws);
  const hi = Math.max(...raws);
  plots.push(svgPlot([
    { name: 'stroke bottoms (gauge vs captured Hall)', x: raws, y: h.fitPoints.map((p) => p.gaugeMm), style: 'points' },
    { name: 'fit', x: [lo, hi], y: [lo, hi].map((v) => (v - h.fit.offset) * h.fit.mmPerUnit) },
  ], { title: 'Hall sensor fit (bottom of stroke)', xLabel: 'Hall at the bottom of stroke, fraction of full scale', yLabel: 'bottom of stroke (gauge), mm' }));
  plots.push(svgPlot([{ name: 'gauge − fit', x: h.fitPoints.map((p) => p.gaugeMm), y: h.fit.residualsUm, style: 'points' }],
    { title: `Hall fit residuals (${h.fit.rmsUm.toFixed(1)} µm rms)`, xLabel: 'bottom of stroke, mm', yLabel: 'residual, µm', yRefs: [-HALL_LIMITS.maxUm, HALL_LIMITS.maxUm] }));
  const st = id.stage;
  const s0 = Math.min(...st.points.map((p) => p.steps));
  const s1 = Math.max(...st.points.map((p) => p.steps));
  plots.push(svgPlot([
    { name: 'stroke bottoms (gauge)', x: st.points.map((p) => p.steps), y: st.points.map((p) => p.gaugeMm), style: 'points' },
    { name: `fit: ${st.depthAtHome.toFixed(3)} mm + steps / ${st.stepsPerMm.toFixed(1)}`, x: [0, s1], y: [0, s1].map((v) => st.depthAtHome + v / st.stepsPerMm) },
  ], { title: 'Depth stage: bottom of stroke against stage position', xLabel: 'stage position, steps from home', yLabel: 'bottom of stroke, mm' }));
  plots.push(svgPlot([{ name: 'gauge − fit', x: st.points.map((p) => p.steps), y: st.residualsUm, style: 'points' }],
    { title: `Stage fit residuals (${st.rmsUm.toFixed(1)} µm rms; ${s0}…${s1} steps)`, xLabel: 'stage position, steps', yLabel: 'residual, µm', yRefs: [-STAGE_LIMITS.maxUm, STAGE_LIMITS.maxUm] }));
  // the captured strokes, bottom at 0 ms, through the new Hall calibration (flat where the sensor is on its rail)
  const strokes: Series[] = id.captures.map((c, i) => {
    const n = c.samples.length;
    const t = c.samples.map((_, j) => ((((j - c.bottom.at + n / 2) % n) + n) % n - n / 2) / c.fs * 1000);
    const order = t.map((_, j) => j).sort((a, b) => t[a] - t[b]);
    return {
      name: `${c.steps} steps: bottom ${c.gaugeMm.toFixed(3)} mm (gauge)`, colour: PALETTE[i % PALETTE.length],
      x: order.map((j) => t[j]), y: order.map((j) => (c.samples[j] / 65535 - h.fit.offset) * h.fit.mmPerUnit),
    };
  });
  plots.push(svgPlot(strokes, { title: `Captured strokes at ${id.rate}/s (cam; the sensor's range ends at about −1.5 mm)`, xLabel: 'time from the bottom of stroke, ms', yLabel: 'needle protrusion (new Hall fit), mm' }));
  return plots;
}

export function stepperSections(r: CalibrationReport, id: StepperIdentification): string[] {
  const out: string[] = [];
  const h = id.hall;
  const st = id.stage;
  const cam = id.cam;
  out.push('<h2>Sensor checks</h2><table>' + [
    row('Fit residuals', `${h.fit.rmsUm.toFixed(1)} µm rms, ${h.fit.maxUm.toFixed(1)} µm max (limits ${HALL_LIMITS.rmsUm} / ${HALL_LIMITS.maxUm} µm)`),
    row('Noise', `${h.noiseFs.toFixed(5)} of full scale rms (limit ${HALL_LIMITS.noiseFs}), from the captured strokes' bottoms`),
    row('Strokes captured', `${id.captures.length} at ${id.rate}/s: ${id.captures.map((c) => `${c.steps} steps → ${c.gaugeMm.toFixed(3)} mm`).join(', ')}`),
    row('Motor temperature', `${id.motorC[0].toFixed(1)} → ${id.motorC[1].toFixed(1)} °C (the Hall span drifts −0.12 %/K)`),
  ].join('') + '</table>');
  out.push('<h2>Depth stage and cam</h2><table>' + [
    row('Steps per mm', `${st.stepsPerMm.toFixed(2)} (design ${STAGE_LIMITS.stepsPerMmNominal} ± ${STAGE_LIMITS.stepsPerMmTol * 100} %; standard error ${(st.relSe * 100).toFixed(3)} %)`),
    row('Bottom of stroke at home', `${st.depthAtHome.toFixed(4)} mm (expected ${STAGE_LIMITS.depthAtHomeMm[0]}…${STAGE_LIMITS.depthAtHomeMm[1]} mm)`),
    row('Stage fit', `${st.rmsUm.toFixed(1)} µm rms, ${st.maxUm.toFixed(1)} µm max over ${st.points.length} positions`),
    row('Cam steps per revolution', `${cam.stepsPerRev}: index period ${(cam.indexUs / 1000).toFixed(3)} ms at ${cam.stepHz.toFixed(0)} Hz STEP = ${cam.stepsPerRevMeasured.toFixed(2)} (${cam.reads} reads)`),
    row('Cam lobes', `${cam.lobes}: ${cam.strokesInWindow} stroke(s) in one stroke period at ${cam.usedLobes} lobes / ${cam.usedStepsPerRev} steps; periodic fit ${(cam.periodicRelRms * 100).toFixed(2)} % of the stroke (${cam.periodicOverNoise.toFixed(2)} × the noise)${cam.gaugeStrokes ? `; the rig counted ${cam.gaugeStrokes.counted} strokes, ${cam.gaugeStrokes.expected.toFixed(1)} expected` : ''}`),
    row('Cam phase against the index', esc(cam.phaseNote)),
  ].join('') + '</table>');
  const g = r.gains as StageGainDerivation | undefined;
  if (g && 'rhoSpread' in g) {
    const lam = g.lambda.flatMap((l) => [l.lambda, l.lambdaLargest]);
    out.push('<h2>Depth-loop gain (derived)</h2><table>' + [
      row('Law (firmware)', 'each block: stage += round(ki · (set − measured) · steps/mm), ±2 steps dead band, ≤ 40 steps'),
      row('ki', `${g.ki} (kp not used by the stage loop): depth error × ${g.contraction.toFixed(2)} per block at the worst design corner`),
      row('λ (share of a move the next block sees)', `${Math.min(...lam).toFixed(2)}…${Math.max(...lam).toFixed(2)} over ${g.lambda.length} rates and moves of ${g.moves.join(', ')} steps`),
      row('ρ (loop gain over the model)', `${g.rho.map((x) => x.toFixed(3)).join(', ')}: identification ${(g.rhoSpread.identification * 100).toFixed(2)} %, Hall drift ${(g.rhoSpread.hallDrift * 100).toFixed(1)} %, mechanics ${(g.rhoSpread.mechanics * 100).toFixed(0)} %`),
    ].join('') + '</table>');
  }
  return out;
}
