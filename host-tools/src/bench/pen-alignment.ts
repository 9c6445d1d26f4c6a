// Which of the rig's strokes each of the pen's per-stroke depths belongs to. The pen reports
// one depth per stroke period of its sampling, from the start of the run; the rig records a
// stroke at each bottom the needle really makes. On the voice coil the two line up one to
// one. The stepper's cam ramps up at its start while the pen already samples at the set
// rate, so the pen's series runs ahead by the strokes the cam has not yet made: the offset
// is the smallest shift (within ±MAX_SHIFT) that matches the two series after the lead-in
// about as well as the best one.

const MAX_SHIFT = 60;
const MIN_PAIRS = 20;
/** a shift whose mean square is within this factor of the best counts as matching as well */
const NEAR_BEST = 1.1;

/**
 * The pen's depths re-indexed by rig stroke: `out[j]` is the pen's depth for the rig's stroke
 * j (undefined where the pen has none), and the shift used (rig index − pen index).
 */
export function alignPenToTruth(penUm: readonly number[], trueUm: readonly number[], from: number): { aligned: (number | undefined)[]; shift: number } {
  const ms: { shift: number; ms: number }[] = [];
  for (let shift = -MAX_SHIFT; shift <= MAX_SHIFT; shift++) {
    let sum = 0;
    let n = 0;
    for (let j = Math.max(from, shift); j < trueUm.length; j++) {
      const i = j - shift;
      if (i >= penUm.length) break;
      const d = penUm[i]! - trueUm[j]!;
      sum += d * d;
      n++;
    }
    if (n >= MIN_PAIRS) ms.push({ shift, ms: sum / n });
  }
  // the smallest shift that matches about as well as the best: a depth that hardly varies
  // (the stepper's) matches at any shift, and then the pen's own order is kept
  const min = Math.min(...ms.map((m) => m.ms));
  const best = ms.filter((m) => m.ms <= min * NEAR_BEST + 1).sort((a, b) => Math.abs(a.shift) - Math.abs(b.shift))[0]?.shift ?? 0;
  const aligned = trueUm.map((_, j) => (j - best >= 0 && j - best < penUm.length ? penUm[j - best] : undefined));
  return { aligned, shift: best };
}
