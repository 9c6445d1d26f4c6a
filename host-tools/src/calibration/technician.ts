// The person at the bench, as the procedure sees them: instructions to carry out and
// confirm, and numbers to read off an instrument. `autoTechnician` confirms everything
// (--yes, unattended runs with a sim or serial gauge) and cannot read a dial.

export interface Technician {
  /** Show what to do and wait until it is done (unattended: just show it). */
  confirm(instruction: string): Promise<void>;
  /**
   * Ask for a number; `check` returns '' to accept or why not (shown, then asked again).
   * Rejects when there is nobody to ask.
   */
  askNumber(question: string, check: (v: number, again: boolean) => string): Promise<number>;
  /** A line for the technician (progress, results). */
  say(line: string): void;
}

export function autoTechnician(say: (line: string) => void = () => undefined): Technician {
  return {
    async confirm(instruction: string) {
      say(instruction);
    },
    async askNumber(question: string): Promise<number> {
      throw new Error(`"${question}" needs a technician at the keyboard (the manual gauge cannot run unattended)`);
    },
    say,
  };
}
