// The technician as the calibration procedure sees them (calibration/technician.ts), on
// the page: an instruction to carry out and confirm, or a dial reading typed into a form,
// checked by the gauge (a refused entry says why and is asked again). An unattended rig
// (the virtual pen's) confirms its fixtures itself, as `stipple calibrate --yes` does.
import type { Technician } from '../../src/calibration/technician';
import { byId, el } from './dom';

export class PageTechnician implements Technician {
  private readonly box = byId('tech-prompt');

  constructor(private readonly signal: AbortSignal, private readonly sayLine: (line: string) => void, private readonly unattended: boolean) {}

  say(line: string): void {
    this.sayLine(line);
  }

  confirm(instruction: string): Promise<void> {
    this.say(`» ${instruction}`);
    if (this.unattended) return Promise.resolve();
    return this.prompt((done) => {
      const btn = el('button', { id: 'tech-done', type: 'button' }, 'Done');
      btn.addEventListener('click', () => done(undefined));
      return [el('p', { class: 'instruction' }, instruction), btn];
    }).then(() => undefined);
  }

  async askNumber(question: string, check: (v: number, again: boolean) => string): Promise<number> {
    let why = '';
    for (let tries = 0; ; tries++) {
      const text = await this.prompt((done) => {
        const input = el('input', { id: 'tech-number', type: 'text', inputmode: 'decimal', autocomplete: 'off', 'aria-label': question });
        const form = el('form', {}, el('label', {}, question, ' ', input), ' ', el('button', { type: 'submit' }, 'Enter'));
        form.addEventListener('submit', (e) => { e.preventDefault(); done(input.value); });
        queueMicrotask(() => input.focus());
        return why ? [form, el('p', { class: 'refused', id: 'tech-refused' }, why)] : [form];
      });
      const a = (text ?? '').trim().replace(',', '.');
      const v = a === '' ? NaN : Number(a);
      why = check(v, tries > 0);
      if (!why) { this.say(`» ${question}: ${a}`); return v; }
    }
  }

  /** Show a prompt until it is answered; rejects when the calibration is aborted. */
  private prompt(build: (done: (answer: string | undefined) => void) => Node[]): Promise<string | undefined> {
    if (this.signal.aborted) return Promise.reject(new Error('aborted'));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => { this.box.replaceChildren(); reject(new Error('aborted')); };
      this.signal.addEventListener('abort', onAbort, { once: true });
      const done = (answer: string | undefined): void => {
        this.signal.removeEventListener('abort', onAbort);
        this.box.replaceChildren();
        resolve(answer);
      };
      this.box.replaceChildren(...build(done));
    });
  }
}
