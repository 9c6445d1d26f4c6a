// The HTML report of a run: one self-contained file (uPlot and the data inlined, nothing
// fetched), a summary table, and per scenario its checks (where each passed or failed:
// time, expected, seen) and plots of depth per stroke, stroke rate, drive and state, with
// the timeline's actions and the checks' verdicts marked on them. Plots are drawn when a
// scenario is opened, so a suite of hundreds of scenarios stays light.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunSummary } from './runner';
import { junitXml } from './junit';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON or JS safe inside <script>. */
const inScript = (s: string): string => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

function uplotAssets(): { js: string; css: string } {
  const dir = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return { js: readFileSync(path.join(dir, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(path.join(dir, 'uPlot.min.css'), 'utf8') };
}

const STATUS_CLASS = { pass: 'ok', fail: 'bad', skip: 'skip', error: 'bad' } as const;

function figuresText(f: Record<string, number>): string {
  const parts: string[] = [];
  if (f.rmsUm !== undefined) parts.push(`RMS ${f.rmsUm.toFixed(1)} µm`);
  if (f.worstUm !== undefined) parts.push(`worst ${f.worstUm.toFixed(1)} µm`);
  if (f.rateErrPct !== undefined) parts.push(`rate ±${f.rateErrPct.toFixed(2)} %`);
  if (f.latchMs !== undefined) parts.push(`latch ${f.latchMs.toFixed(0)} ms`);
  if (f.deepestMm !== undefined) parts.push(`deepest ${f.deepestMm.toFixed(3)} mm`);
  return parts.join(', ');
}

export function reportHtml(s: RunSummary, title = 'Stipple HIL report'): string {
  const { js, css } = uplotAssets();
  const rows = s.results.map((r, i) => `<tr class="${STATUS_CLASS[r.status]}"><td><a href="#s${i}">${esc(r.name)}</a></td><td>${r.status.toUpperCase()}</td><td>${esc(figuresText(r.figures))}</td><td>${esc(r.reason ?? r.failures[0] ?? '')}</td><td>${(r.wallMs / 1000).toFixed(1)} s</td></tr>`).join('\n');
  const sections = s.results.map((r, i) => {
    const checks = r.outcomes.map((o) => `<tr class="${o.skipped ? 'skip' : o.pass ? 'ok' : 'bad'}"><td>${o.skipped ? 'SKIP' : o.pass ? 'pass' : 'FAIL'}</td><td>${o.t.toFixed(3)} s</td><td>${esc(o.name)}</td><td>${esc(o.expected)}</td><td>${esc(o.skipped ? o.skipped : o.seen)}</td></tr>`).join('\n');
    const pen = r.pen ? `pen seed ${r.pen.seed}, ${r.pen.variant}, ${r.pen.board}; ` : '';
    return `<details id="s${i}" data-i="${i}" class="${STATUS_CLASS[r.status]}"${r.status === 'fail' && s.results.length <= 20 ? ' open' : ''}>
<summary><b>${r.status.toUpperCase()}</b> ${esc(r.name)} <span class="dim">${esc(r.file)}</span></summary>
<p class="dim">${esc(pen)}${esc(r.target)}, ${r.scenarioS} s of scenario time, ${(r.wallMs / 1000).toFixed(2)} s wall${r.tags.length ? `; tags ${esc(r.tags.join(', '))}` : ''}</p>
${r.reason ? `<p class="bad">${esc(r.reason)}</p>` : ''}
${checks ? `<table class="checks"><tr><th></th><th>time</th><th>check</th><th>expected</th><th>seen</th></tr>${checks}</table>` : ''}
${r.plot ? '<div class="plots"></div>' : ''}
</details>`;
  }).join('\n');
  const data = s.results.map((r) => r.plot ?? null);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${css}
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
tr.ok td:nth-child(2),tr.ok td:first-child{color:#1a7f37}tr.bad td{background:#fff0f0}tr.skip td{color:#888}
details{border:1px solid #ddd;border-radius:4px;margin:.4em 0;padding:.3em .6em}details.bad{border-color:#d33}
summary{cursor:pointer}.dim{color:#777;font-size:90%}.bad{color:#b00}.plots{display:flex;flex-wrap:wrap;gap:8px}
.checks td:nth-child(4),.checks td:nth-child(5){max-width:38em;word-break:break-word}
</style></head><body>
<h1>${esc(title)}</h1>
<p>Target <b>${esc(s.target)}</b>: ${s.total} scenarios, <b class="${s.failed + s.errors ? 'bad' : ''}">${s.passed} passed, ${s.failed} failed</b>, ${s.skipped} skipped, ${s.errors} errors; ${(s.wallMs / 1000).toFixed(1)} s wall on ${s.jobs} job(s).
Depth and rate are judged on the simulator's <i>true</i> needle protrusion (the rig's gauge); the pen's own telemetry is drawn for comparison.</p>
<table><tr><th>scenario</th><th>result</th><th>key figures</th><th>first failure / reason</th><th>wall</th></tr>
${rows}</table>
${sections}
<script>${inScript(js)}</script>
<script>
const DATA = ${inScript(JSON.stringify(data))};
${inScript(PLOT_SCRIPT)}
</script>
</body></html>
`;
}

/** Client-side drawing: four uPlot charts per scenario, made when its <details> opens. */
const PLOT_SCRIPT = `
function markers(d){return {hooks:{draw:[u=>{const c=u.ctx;c.save();
  for(const a of d.actions){const x=u.valToPos(a.t,'x',true);c.strokeStyle='rgba(0,0,200,.35)';c.setLineDash([4,4]);c.beginPath();c.moveTo(x,u.bbox.top);c.lineTo(x,u.bbox.top+u.bbox.height);c.stroke();}
  c.setLineDash([]);for(const v of d.verdicts){const x=u.valToPos(v.t,'x',true);c.fillStyle=v.pass?'#1a7f37':'#d00';c.beginPath();c.arc(x,u.bbox.top+6,4,0,7);c.fill();}
  c.restore();}]}};}
function chart(el,title,d,xs,series,yl){const w=Math.min(560,(document.body.clientWidth-60)/2|0);
  const opts={title,width:Math.max(320,w),height:220,scales:{x:{time:false}},axes:[{label:'s'},{label:yl}],series:[{label:'t'}].concat(series),plugins:[markers(d)]};
  const div=document.createElement('div');el.appendChild(div);new uPlot(opts,xs,div);}
function merge(list){const ts=new Set();for(const s of list)for(const t of s.t)ts.add(t);const x=[...ts].sort((a,b)=>a-b);
  const ys=list.map(s=>{const m=new Map();s.t.forEach((t,i)=>m.set(t,s.v[i]));return x.map(t=>m.has(t)?m.get(t):null);});return [x].concat(ys);}
function draw(det){const d=DATA[+det.dataset.i];const el=det.querySelector('.plots');if(!d||!el||el.dataset.done)return;el.dataset.done=1;
  const tgt={t:[],v:[]};for(const g of d.targets){tgt.t.push(g.from,g.to);tgt.v.push(g.mm,g.mm);}
  chart(el,'depth per stroke (mm)',d,merge([d.trueDepth,d.penDepth,d.setpoint,tgt]),[
    {label:'true',stroke:'#d62728',points:{show:d.trueDepth.t.length<400}},{label:'pen measured',stroke:'#1f77b4',points:{show:false}},
    {label:'setpoint',stroke:'#999',dash:[5,5],spanGaps:true},{label:'target',stroke:'#2ca02c',width:2,spanGaps:false}],'mm');
  chart(el,'stroke rate (true, strokes/s)',d,[d.rate.t,d.rate.v],[{label:'strokes/s',stroke:'#9467bd'}],'/s');
  chart(el,'drive',d,merge([d.drive,d.current]),[{label:'drive 0..1',stroke:'#ff7f0e',spanGaps:true},{label:'current A',stroke:'#8c564b',spanGaps:true}],'');
  const st={t:d.state.t.concat([d.end]),v:d.state.v.concat([d.state.v.length?d.state.v[d.state.v.length-1]:0])};
  chart(el,'state ('+d.stateNames.map((n,i)=>i+' '+n).join(', ')+')',d,[st.t,st.v],[{label:'state',stroke:'#17becf',paths:uPlot.paths.stepped({align:1})}],'');}
document.querySelectorAll('details').forEach(det=>{det.addEventListener('toggle',()=>{if(det.open)draw(det);});if(det.open)draw(det);});
`;

export interface ReportFiles {
  html: string;
  json: string;
  junit: string;
}

/** Write index.html (self-contained), summary.json and junit.xml into `dir`. */
export function writeReport(dir: string, s: RunSummary): ReportFiles {
  mkdirSync(dir, { recursive: true });
  const files = { html: path.join(dir, 'index.html'), json: path.join(dir, 'summary.json'), junit: path.join(dir, 'junit.xml') };
  writeFileSync(files.html, reportHtml(s));
  writeFileSync(files.json, JSON.stringify(summaryJson(s), null, 2) + '\n');
  writeFileSync(files.junit, junitXml(s));
  return files;
}

/** The --json summary: the run's counts and each scenario's verdicts (no plot data). */
export function summaryJson(s: RunSummary): unknown {
  return {
    target: s.target, total: s.total, passed: s.passed, failed: s.failed, skipped: s.skipped, errors: s.errors, wallMs: s.wallMs, jobs: s.jobs,
    ok: s.failed === 0 && s.errors === 0,
    scenarios: s.results.map(({ plot: _plot, ...r }) => r),
  };
}
