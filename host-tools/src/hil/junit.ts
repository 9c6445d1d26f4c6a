// JUnit XML for CI systems: one <testsuite> per scenario directory, one <testcase> per
// scenario; a failed scenario's <failure> lists every failed check (scenario, time,
// expected, seen), a skipped one says why, a scenario that could not run is an <error>.
import path from 'node:path';
import type { RunSummary } from './runner';
import type { ScenarioResult } from './run-scenario';

const esc = (s: string): string =>
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const secs = (ms: number): string => (ms / 1000).toFixed(3);

function testcase(r: ScenarioResult): string {
  const cls = `hil.${path.dirname(r.file).split(path.sep).filter((p) => p && p !== '.').join('.') || 'scenarios'}`;
  const open = `    <testcase classname="${esc(cls)}" name="${esc(r.name)}" file="${esc(r.file)}" time="${secs(r.wallMs)}">`;
  const out = r.outcomes.map((o) => `${o.skipped ? 'SKIP' : o.pass ? 'ok  ' : 'FAIL'} @ ${o.t.toFixed(3)} s ${o.name}: expected ${o.expected}; seen ${o.seen}${o.skipped ? ` (${o.skipped})` : ''}`).join('\n');
  const body: string[] = [];
  if (r.status === 'fail') body.push(`      <failure message="${esc(r.failures[0] ?? 'failed')}" type="assertion">${esc(r.failures.join('\n'))}</failure>`);
  if (r.status === 'skip') body.push(`      <skipped message="${esc(r.reason ?? '')}"/>`);
  if (r.status === 'error') body.push(`      <error message="${esc(r.reason ?? 'error')}" type="setup">${esc(r.reason ?? '')}</error>`);
  if (out) body.push(`      <system-out>${esc(`${r.target}, ${r.scenarioS} s of scenario time\n${out}`)}</system-out>`);
  return [open, ...body, '    </testcase>'].join('\n');
}

export function junitXml(s: RunSummary): string {
  const groups = new Map<string, ScenarioResult[]>();
  for (const r of s.results) {
    const g = path.dirname(r.file);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(r);
  }
  const suites = [...groups].map(([dir, rs]) => {
    const n = (st: ScenarioResult['status']): number => rs.filter((r) => r.status === st).length;
    const time = rs.reduce((a, r) => a + r.wallMs, 0);
    return [
      `  <testsuite name="${esc(`hil ${dir}`)}" tests="${rs.length}" failures="${n('fail')}" errors="${n('error')}" skipped="${n('skip')}" time="${secs(time)}">`,
      `    <properties><property name="target" value="${esc(s.target)}"/></properties>`,
      ...rs.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stipple hil" tests="${s.total}" failures="${s.failed}" errors="${s.errors}" skipped="${s.skipped}" time="${secs(s.wallMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
