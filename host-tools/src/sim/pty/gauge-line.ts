// The text a digital dial indicator sends over its serial cable, as the virtual gauge
// sends it: Sylvac-style fixed-width value (sign, 3 integer digits, 3 decimals: 0.001 mm
// resolution), then the unit and CR LF so that line readers split it, e.g.
// "+000.812 mm\r\n", "-001.500 mm\r\n". 13 bytes per reading.

export const GAUGE_LINE_BYTES = 13;

/** Requests for one reading, as indicators accept them ('?' Sylvac, 'R' Chicago Dial Indicator). */
export const GAUGE_REQUEST_CHARS = ['?', 'R', 'r'];

export function formatGaugeLine(mm: number): string {
  const um = Math.round(mm * 1000);
  const clipped = Math.max(-999999, Math.min(999999, um)); // the display's range
  const sign = clipped < 0 ? '-' : '+';
  const a = Math.abs(clipped);
  return `${sign}${String(Math.floor(a / 1000)).padStart(3, '0')}.${String(a % 1000).padStart(3, '0')} mm\r\n`;
}

/** The reading in mm, or undefined if `line` is not a gauge line (CR/LF optional). */
export function parseGaugeLine(line: string): number | undefined {
  const m = /^([+-])(\d{3})\.(\d{3}) mm\r?\n?$/.exec(line);
  if (!m) return undefined;
  const v = Number(m[2]) + Number(m[3]) / 1000;
  return m[1] === '-' ? -v : v;
}
