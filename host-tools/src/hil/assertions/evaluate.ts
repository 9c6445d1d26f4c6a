// Judge a recording against a scenario's assertions: one Outcome per assertion, plus the
// implicit ones (every host command's reply; on the simulator, the hard limit over the
// whole scenario unless the scenario states its own).
import { DEPTH_MAX_MM } from '@stipple/protocol';
import type { ScenarioAssertion } from '../scenario-schema';
import { evalDepth } from './depth';
import { evalFault, evalNoFault } from './fault';
import { evalHostReplies } from './host-replies';
import type { EvalContext, Outcome } from './outcome';
import { evalCalibration, evalCounters, evalFaultLog, evalLed, evalMemory, evalState } from './probes';
import { evalProtocol } from './protocol';
import { evalRate } from './rate';
import { evalHardLimit, evalNeedle, evalStrokes } from './truth-bounds';

export function evaluate(ctx: EvalContext): Outcome[] {
  const out: Outcome[] = [];
  const seenByLabel = new Map<string, Record<string, number>>();
  const asserts = ctx.scenario.assert;
  asserts.forEach((a: ScenarioAssertion, i) => {
    if ('depth' in a) out.push(evalDepth(a, ctx));
    else if ('rate' in a) out.push(evalRate(a, ctx));
    else if ('hardLimit' in a) out.push(evalHardLimit(a, ctx));
    else if ('needle' in a) out.push(evalNeedle(a, ctx));
    else if ('strokes' in a) out.push(evalStrokes(a, ctx));
    else if ('fault' in a) out.push(evalFault(a, ctx));
    else if ('noFault' in a) out.push(evalNoFault(a, ctx));
    else if ('state' in a) out.push(evalState(a, i, ctx));
    else if ('led' in a) out.push(evalLed(a, i, ctx));
    else if ('counters' in a) out.push(evalCounters(a, i, ctx, seenByLabel));
    else if ('calibration' in a) out.push(evalCalibration(a, i, ctx));
    else if ('faultLog' in a) out.push(evalFaultLog(a, i, ctx));
    else if ('protocol' in a) out.push(evalProtocol(a, ctx));
    else if ('memory' in a) out.push(evalMemory(a, i, ctx));
  });
  if (ctx.sim && !asserts.some((a) => 'hardLimit' in a)) {
    out.push(evalHardLimit({ name: `never beyond the hard limit ${DEPTH_MAX_MM} mm (always checked)`, hardLimit: { from: 0, to: 'end', mm: DEPTH_MAX_MM } }, ctx));
  }
  out.push(...evalHostReplies(ctx));
  return out;
}
