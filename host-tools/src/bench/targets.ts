// The targets the bench reports against (issue 4's budgets, issue 3's simulator speed),
// each marked met / not met / not measured. The bench never fails on them: they are
// figures to read, not tests (docs/benchmarks.md).
import type { BenchReport } from './bench-report';

export interface TargetCheck {
  /** the JSON field the target is about */
  field: string;
  what: string;
  target: string;
  value: number | null;
  unit: string;
  /** null: not measured in this run */
  met: boolean | null;
  issue: number;
}

export function checkTargets(r: Omit<BenchReport, 'targets'>): TargetCheck[] {
  const d = r.depth;
  const t = (field: string, what: string, target: string, value: number | null, unit: string, ok: (v: number) => boolean, issue: number): TargetCheck =>
    ({ field, what, target, value, unit, met: value === null ? null : ok(value), issue });
  return [
    t('depth.rmsUm', 'depth RMS error after settling (voice coil, true protrusion)', '≤ 20 µm', d.rmsUm, 'µm', (v) => v <= 20, 4),
    t('depth.maxUm', 'worst stroke after settling', '≤ 50 µm', d.maxUm, 'µm', (v) => v <= 50, 4),
    t('depth.settleStrokes', 'strokes of settling after the start and after the stiffness step', '≤ 5', d.settleStrokes, 'strokes', (v) => v <= 5 && d.unsettledSegments === 0, 4),
    t('depth.closedOverOpenRms', 'closed-loop RMS over open-loop RMS (same pens and conditions)', '≤ 0.1', d.closedOverOpenRms, '×', (v) => v <= 0.1, 4),
    t('speed.maxErrPct', 'stroke-rate error', '≤ 0.5 %', r.speed.maxErrPct, '%', (v) => v <= 0.5, 4),
    t('sim.realtimeFactor', 'virtual pen speed at 150 strokes/s, firmware and physics, one core', '≥ 200×', r.sim.realtimeFactor, '×', (v) => v >= 200, 3),
    t('firmware.jsVarsAfterBoot', 'JsVars used after boot (real interpreter)', '≤ 2000', r.firmware.jsVarsAfterBoot, 'JsVars', (v) => v <= 2000, 4),
    t('firmware.controlCpuPct150', 'control CPU at 150 strokes/s on a Pico (Linux interpreter × 50)', '≤ 25 %', r.firmware.controlCpuPct150, '%', (v) => v <= 25, 4),
    t('firmware.boardsTooSmall', 'boards whose Storage cannot hold the device bundle', 'none', r.firmware.boardsTooSmall.length, 'boards', (v) => v === 0, 4),
  ];
}
