// What `stipple calibrate` prints at the end: the figures a technician checks (sensor fit,
// identified actuator, gains, the verification table) and where the certificate is.
import type { CalibrationReport } from '../../calibration/calibration-report';
import type { ReportFiles } from '../../calibration/report-files';
import { colour, table } from '../output';

export function renderResult(r: CalibrationReport, files: ReportFiles | undefined): string {
  const out: string[] = [];
  if (r.ok) out.push(colour.ok(colour.bold(`PASS  ${r.pen.serial} calibrated${r.write ? ' and written' : ' (not written: --no-write)'} in ${r.deviceTimeS.toFixed(1)} s of device time`)));
  else out.push(colour.bad(colour.bold(`FAIL  ${r.failure?.step}: ${r.failure?.reason}`)));
  if (r.sensor) {
    const s = r.sensor;
    out.push(`  Hall        ${s.fit.mmPerUnit.toFixed(4)} mm/FS, offset ${s.fit.offset.toFixed(5)} FS; residuals ${s.fit.rmsUm.toFixed(1)} µm rms / ${s.fit.maxUm.toFixed(1)} µm max; noise ${s.noiseFs.toFixed(5)} FS`);
    out.push(`  end stop    ${s.extendedStop ? `${s.extendedStop.mm.toFixed(3)} mm (rest ${s.restMm.toFixed(3)} mm)` : s.stopNote}`);
  }
  if (r.actuator) {
    const a = r.actuator.model;
    out.push(`  actuator    R ${a.rOhm.toFixed(3)} Ω  kf ${a.kf.toFixed(3)} N/A  k ${a.kNPerMm.toFixed(3)} N/mm  m ${a.mG.toFixed(3)} g  c ${a.cNsPerM.toFixed(3)} N·s/m  (${r.actuator.resonance.fnHz.toFixed(0)} Hz, ζ ${r.actuator.resonance.zeta.toFixed(2)})`);
  }
  if (r.stepper) {
    const { hall, stage, cam } = r.stepper;
    out.push(`  Hall        ${hall.fit.mmPerUnit.toFixed(4)} mm/FS, offset ${hall.fit.offset.toFixed(5)} FS; residuals ${hall.fit.rmsUm.toFixed(1)} µm rms / ${hall.fit.maxUm.toFixed(1)} µm max; noise ${hall.noiseFs.toFixed(5)} FS`);
    out.push(`  stage       ${stage.stepsPerMm.toFixed(1)} steps/mm, bottom at home ${stage.depthAtHome.toFixed(3)} mm (fit ${stage.rmsUm.toFixed(1)} µm rms)`);
    out.push(`  cam         ${cam.stepsPerRev} steps/rev, ${cam.lobes} lobes (index ${(cam.indexUs / 1000).toFixed(3)} ms); phase ${cam.phaseNote.split(':')[0]}`);
  }
  if (r.gains) out.push(`  gains       kp ${r.gains.kp}  ki ${r.gains.ki}  (error × ${r.gains.contraction.toFixed(2)} per block)`);
  if (r.verification) {
    out.push(`  verification on the phantom (±${r.verification.acceptanceUm} µm):`);
    out.push(table(['set mm', 'rate', 'gauge mm', 'pen mm', 'gauge−set µm', 'pen−gauge µm', ''], r.verification.points.map((p) => [
      p.depthMm.toFixed(2), p.rate, p.gaugeMm.toFixed(3), p.penMm.toFixed(3), p.errorUm === null ? '—' : p.errorUm.toFixed(1), p.penVsGaugeUm.toFixed(1), p.pass ? colour.ok('pass') : colour.bad('FAIL'),
    ])).split('\n').map((l) => '    ' + l).join('\n'));
  }
  if (r.failure && !r.failure.penSafe) out.push(colour.warn('  the pen did not confirm it stopped (link lost): it stops itself within 150 ms without heartbeats; check it before use'));
  if (files) out.push(`  certificate ${files.html}\n  record      ${files.json}\n  samples     ${files.csv}`);
  return out.join('\n');
}
