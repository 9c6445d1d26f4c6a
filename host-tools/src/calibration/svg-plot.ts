// Small self-contained SVG charts for the certificate: line and point series on linear
// axes with ticks, labels and a legend. No scripts, no external fonts or styles.

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** 'line' (default) or 'points' */
  style?: 'line' | 'points';
  colour?: string;
  /** list it in the legend (default true) */
  legend?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** draw a horizontal reference line at these y values (e.g. ±acceptance) */
  yRefs?: number[];
}

export const PALETTE = ['#1f5fa8', '#c0392b', '#2e8b57', '#8e44ad', '#d68910', '#566573'];

export function svgPlot(series: readonly Series[], o: PlotOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 300;
  const m = { l: 64, r: 16, t: 28, b: 44 };
  const xs = series.flatMap((s) => s.x as number[]).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.y as number[]).concat(o.yRefs ?? []).filter(Number.isFinite);
  const [x0, x1] = niceRange(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = niceRange(Math.min(...ys), Math.max(...ys));
  const px = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(o.title)}</text>`);
  for (const t of ticks(x0, x1)) {
    out.push(`<line x1="${px(t)}" y1="${m.t}" x2="${px(t)}" y2="${H - m.b}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${px(t)}" y="${H - m.b + 14}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    out.push(`<line x1="${m.l}" y1="${py(t)}" x2="${W - m.r}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const r of o.yRefs ?? []) out.push(`<line x1="${m.l}" y1="${py(r)}" x2="${W - m.r}" y2="${py(r)}" stroke="#c0392b" stroke-dasharray="4 3"/>`);
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text x="14" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(m.t + H - m.b) / 2})">${esc(o.yLabel)}</text>`);
  let shown = 0;
  series.forEach((s, i) => {
    const c = s.colour ?? PALETTE[i % PALETTE.length];
    if (s.style === 'points') {
      s.x.forEach((x, j) => out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(s.y[j]).toFixed(1)}" r="3" fill="${c}"/>`));
    } else {
      const d = s.x.map((x, j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(s.y[j]).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"/>`);
    }
    if (s.legend === false) return;
    out.push(`<rect x="${m.l + 8}" y="${m.t + 6 + shown * 14}" width="10" height="3" fill="${c}"/>`);
    out.push(`<text x="${m.l + 22}" y="${m.t + 11 + shown * 14}">${esc(s.name)}</text>`);
    shown++;
  });
  out.push('</svg>');
  return out.join('');
}

function niceRange(a: number, b: number): [number, number] {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return [0, 1];
  if (a === b) return [a - 1, b + 1];
  const pad = (b - a) * 0.05;
  return [a - pad, b + pad];
}

function ticks(a: number, b: number): number[] {
  const span = b - a;
  const step0 = Math.pow(10, Math.floor(Math.log10(span / 5)));
  const step = [1, 2, 5, 10].map((k) => k * step0).find((s) => span / s <= 7) ?? step0 * 10;
  const out: number[] = [];
  for (let t = Math.ceil(a / step) * step; t <= b + 1e-12; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(4));
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
