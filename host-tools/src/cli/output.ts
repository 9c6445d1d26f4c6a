// How the CLI speaks: colour only when stdout is a TTY, `--json` for machines, and one
// clear line on stderr with a non-zero exit for every failure.

export const useColour = !!process.stdout.isTTY && !process.env.NO_COLOR;

function paint(code: number, s: string): string {
  return useColour ? `\x1b[${code}m${s}\x1b[0m` : s;
}

export const colour = {
  ok: (s: string) => paint(32, s),
  bad: (s: string) => paint(31, s),
  warn: (s: string) => paint(33, s),
  dim: (s: string) => paint(2, s),
  bold: (s: string) => paint(1, s),
};

/** A failure the user can act on: printed as one line, exit code 1 (or `code`). */
export class CliError extends Error {
  exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Fixed-width table for terminals. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] || '').length)));
  return cells.map((r) => r.map((c, i) => (c || '').padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
