// Every host command in the timeline is also a check: its reply must be what `expect` says
// (ok, a typed error code, or any), and it must come. So is an armed power loss: the power
// must really die (a write shorter than `afterBytes` would leave the scenario testing nothing).
import type { EvalContext, Outcome } from './outcome';
import { ts } from './outcome';

export function evalHostReplies(ctx: EvalContext): Outcome[] {
  return ctx.rec.actions.filter((a) => a.expected !== undefined).map((a) => {
    const base = { name: `${a.what} → ${a.expected}`, kind: 'host', figures: {} };
    if (a.ok === undefined && a.reply === 'needs the simulator') return { ...base, pass: true, t: a.at, expected: '', seen: '', skipped: 'needs the simulator' };
    if (a.replyT === undefined) return { ...base, pass: false, t: a.at, expected: `reply ${a.expected}`, seen: 'no reply by the end' };
    return { ...base, pass: a.ok === true, t: a.at, expected: `reply ${a.expected}`, seen: `${a.reply} at ${ts(a.replyT)}` };
  });
}
