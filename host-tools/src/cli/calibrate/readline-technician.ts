// The technician at a terminal: instructions wait for Enter (or pass at once with --yes),
// dial readings are typed and checked, a rejected entry is asked again. Ctrl-C at a prompt
// aborts the calibration (the pen is then made safe by the procedure).
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import type { Technician } from '../../calibration/technician';

export interface ReadlineTechnicianOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** answer confirmations without asking (--yes) */
  yes: boolean;
  /** a human can answer (stdin is a terminal) */
  interactive: boolean;
  /** Ctrl-C at a prompt */
  onInterrupt: () => void;
  /** print a line (clears the progress bar first) */
  say: (line: string) => void;
  /** called before a prompt is shown (clear the progress bar) */
  beforePrompt?: () => void;
  signal: AbortSignal;
}

export class ReadlineTechnician implements Technician {
  private rl: Interface | undefined;

  constructor(private readonly o: ReadlineTechnicianOptions) {}

  say(line: string): void {
    this.o.say(line);
  }

  async confirm(instruction: string): Promise<void> {
    if (this.o.yes) {
      this.say(`» ${instruction}`);
      return;
    }
    if (!this.o.interactive) throw new Error(`"${instruction}" needs a confirmation: run on a terminal, or answer with --yes`);
    await this.question(`» ${instruction}\n  Press Enter when done: `);
  }

  async askNumber(question: string, check: (v: number, again: boolean) => string): Promise<number> {
    if (!this.o.interactive) throw new Error(`the manual gauge needs a technician at a terminal ("${question}")`);
    for (let tries = 0; ; tries++) {
      const a = (await this.question(`» ${question}: `)).trim().replace(',', '.');
      const v = a === '' ? NaN : Number(a);
      const why = check(v, tries > 0);
      if (!why) return v;
      this.say(`  ${why}`);
    }
  }

  private question(q: string): Promise<string> {
    if (this.o.signal.aborted) return Promise.reject(new Error('aborted'));
    this.rl ??= this.open();
    const rl = this.rl;
    this.o.beforePrompt?.();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new Error('aborted'));
      this.o.signal.addEventListener('abort', onAbort, { once: true });
      rl.question(q, (a) => {
        this.o.signal.removeEventListener('abort', onAbort);
        resolve(a);
      });
    });
  }

  private open(): Interface {
    const rl = createInterface({ input: this.o.input, output: this.o.output, terminal: true });
    rl.on('SIGINT', () => this.o.onInterrupt());
    return rl;
  }

  close(): void {
    this.rl?.close();
    this.rl = undefined;
  }
}
