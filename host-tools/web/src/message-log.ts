// The page's messages to its user: errors (a refused request, a malformed message, a lost
// link) and notes, newest first, each with the time it happened.
import { byId, el } from './dom';

const KEEP = 40;

export class MessageLog {
  private readonly list = byId<HTMLUListElement>('messages');

  error(text: string): void {
    this.add('error', text);
  }

  note(text: string): void {
    this.add('note', text);
  }

  private add(kind: 'error' | 'note', text: string): void {
    const t = new Date().toLocaleTimeString();
    this.list.prepend(el('li', { class: kind }, el('time', {}, t), ' ', text));
    while (this.list.children.length > KEEP) this.list.lastElementChild!.remove();
  }
}
