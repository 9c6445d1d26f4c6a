// The human output of `stipple bench`: the matrix table, the summary per drive variant, the
// simulator and firmware figures, and the targets marked met / not met.
import { colour, table } from '../cli/output';
import type { BenchReport, VariantReport } from './bench-report';

const f = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? '–' : x.toFixed(digits));

export function renderBench(r: BenchReport): string {
  const m = r.matrix;
  const out: string[] = [];
  out.push(colour.bold(`stipple bench${r.quick ? ' --quick' : ''}: ${m.rates.length} rates × ${m.depthsMm.length} depths × ${m.skins.length} skins × ${m.seeds.length} seed(s) = ${m.pointsPerVariant} points per drive variant, each closed and open loop`));
  out.push(colour.dim(`  wobble ±${m.wobbleAmplitudeMm} mm at ${m.wobbleHz[0]}–${m.wobbleHz[1]} Hz, stiffness step ×${m.stiffnessStep} (odd seeds) or ÷${m.stiffnessStep} (even) after ${m.segmentS} s of ${2 * m.segmentS} s (the stepper after a ${m.stepperLeadInS} s lead-in); figures after ${m.settleAllowanceStrokes} strokes of settling; depth = ${r.reference.split(',')[0]}`));
  out.push('');
  out.push(variantSection('voice coil', r));
  out.push('');
  out.push(variantSection('stepper', r.stepper));
  out.push('');
  out.push(colour.bold('Simulator and firmware'));
  out.push(table(['figure', 'value'], [
    ['sim.realtimeFactor (pen alone, 150 /s)', `${f(r.sim.realtimeFactor, 0)}× (${r.sim.samples.map((s) => f(s.realtimeFactor, 0)).join(', ')})`],
    ['sim.linkedRealtimeFactor (host run over the link)', `${f(r.sim.linkedRealtimeFactor, 0)}×`],
    ['matrix wall time (voice coil / stepper)', `${f(r.sim.matrixWallS)} s / ${f(r.stepper.sim.matrixWallS)} s on ${r.sim.workers} worker(s)`],
    ['firmware.bundleBytes (stipple.js)', `${r.firmware.bundleBytes}${r.firmware.boardsTooSmall.length ? `  (too big for ${r.firmware.boardsTooSmall.join(', ')})` : ''}`],
    ['firmware.jsVarsAfterBoot', r.firmware.jsVarsAfterBoot === null ? '– (no interpreter)' : String(r.firmware.jsVarsAfterBoot)],
    ['firmware.controlCpuPct150', r.firmware.controlCpuPct150 === null ? '– (no interpreter)' : `${f(r.firmware.controlCpuPct150)} % (${f(r.firmware.controlUsPerStroke)} µs/stroke × 50)`],
  ]));
  for (const n of r.firmware.notes) out.push(colour.dim(`  ${n}`));
  out.push('');
  out.push(colour.bold('Targets (issues 3 and 4; reported, never enforced)'));
  for (const t of r.targets) {
    const mark = t.met === null ? colour.dim('–  not measured') : t.met ? colour.ok('✓  met') : colour.bad('✗  not met');
    out.push(`  ${mark.padEnd(16)}  ${t.field} ${t.target}: ${t.value === null ? '–' : `${t.value} ${t.unit}`}  ${colour.dim(`(${t.what}; issue ${t.issue})`)}`);
  }
  out.push(colour.dim(`\n${r.wallS} s wall on ${r.host.cores} × ${r.host.cpu}, load average ${r.host.loadAverageStart} at the start (timed figures scale with it); --json for every figure`));
  return out.join('\n');
}

function variantSection(name: string, v: VariantReport): string {
  const d = v.depth;
  const out: string[] = [colour.bold(`Depth and rate, ${name}`)];
  if (d.points === 0) {
    out.push(colour.bad('  no point ran to the end: figures are null'));
  } else {
    out.push(table(['rate /s', 'depth mm', 'skin', 'RMS µm', 'worst µm', 'open-loop RMS µm', 'floor RMS, worst µm', 'settle strokes', 'rate err %'],
      v.breakdown.map((b) => [b.rate, b.depthMm.toFixed(1), b.skin, f(b.rmsUm), f(b.maxUm, 0), f(b.openLoopRmsUm), `${f(b.floorRmsUm)}, ${f(b.floorMaxUm, 0)}`, b.settleStrokes ?? '–', f(b.rateErrPct, 3) + (b.faults ? colour.bad(`  ${b.faults} fault(s)`) : '')])));
    out.push('');
    out.push(table(['whole matrix', 'closed loop', 'open loop', 'as measured by the pen (closed / open)'], [
      ['depth RMS µm', f(d.rmsUm), f(d.openLoopRmsUm), `${f(d.asMeasuredByPen.rmsUm)} / ${f(d.asMeasuredByPen.openLoopRmsUm)}`],
      ['worst stroke µm', f(d.maxUm, 0), f(d.openLoopMaxUm, 0), `${f(d.asMeasuredByPen.maxUm, 0)} / ${f(d.asMeasuredByPen.openLoopMaxUm, 0)}`],
      ['settle strokes (worst, median)', `${d.settleStrokes ?? '–'}, ${d.settleStrokesMedian ?? '–'}${d.unsettledSegments ? ` (${d.unsettledSegments} never)` : ''}`, '', String(d.asMeasuredByPen.settleStrokes ?? '–')],
      ['start-up s (worst, median)', `${f(d.startupS, 2)}, ${f(d.startupSMedian, 2)}`, '', ''],
      ['rate error % (worst)', f(v.speed.maxErrPct, 3), f(v.speed.openLoopMaxErrPct, 3), ''],
      ['closed / open RMS', f(d.closedOverOpenRms, 3), '', ''],
      ['prediction floor per block: RMS, worst µm, / open RMS', `${f(d.predictionFloor.perBlockRmsUm)}, ${f(d.predictionFloor.perBlockMaxUm, 0)}, ${f(d.predictionFloor.perBlockOverOpenRms, 3)}`, '', ''],
      ['prediction floor per stroke: RMS, worst µm, / open RMS', `${f(d.predictionFloor.perStrokeRmsUm)}, ${f(d.predictionFloor.perStrokeMaxUm, 0)}, ${f(d.predictionFloor.perStrokeOverOpenRms, 3)}`, '', ''],
      ['pen − truth µm (RMS, worst)', `${f(d.penVsTrueRmsUm)}, ${f(d.penVsTrueMaxUm, 0)}`, '', ''],
    ]));
  }
  for (const x of v.faults) out.push(colour.bad(`  ${x.run === 'setup' ? 'could not run' : `${x.run}-loop run faulted`} ×${x.count}: ${x.fault}`) + colour.dim(` (e.g. ${x.example})`));
  return out.join('\n');
}
