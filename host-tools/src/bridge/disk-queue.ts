// The bridge's bounded on-disk queue for messages that must not be lost while the broker
// is away (faults, statuses): an append-only JSON-lines file of entries with increasing
// sequence numbers, plus a small file with the highest sequence the broker acknowledged.
// Entries are written before they are sent (so a bridge that crashes with the broker away
// sends them when it next starts) and leave the queue only once acknowledged. Bounded:
// when `limit` entries are pending, a new entry is refused and counted as overflowed.
// Delivery is at least once: after a crash, up to the last unsaved acknowledgements go
// out again (QoS 1 allows duplicates; payloads carry their own numbering).
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface QueuedMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface QueueEntry extends QueuedMessage {
  seq: number;
}

export interface DiskQueueOptions {
  /** Most pending entries (default 10000). */
  limit?: number;
  /** Rewrite the file without its acknowledged entries once it is this large, bytes (default 4 MB). */
  compactBytes?: number;
  /** Save the acknowledged sequence at most this often, ms (default 200; 0: at every ack). */
  saveAckMs?: number;
}

interface Line {
  q: number;
  t: string;
  p: string;
  r: boolean;
}

export class DiskQueue {
  readonly limit: number;
  readonly file: string;
  private readonly ackFile: string;
  private fd: number;
  private readonly pendingEntries: QueueEntry[] = [];
  private lastSeq: number;
  private ackedUpTo: number;
  private savedAck: number;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly compactBytes: number;
  private readonly saveAckMs: number;
  /** Entries refused because the queue was full, since it was opened. */
  overflowed = 0;

  constructor(dir: string, o: DiskQueueOptions = {}) {
    this.limit = o.limit ?? 10000;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new RangeError('queue limit must be a positive integer');
    this.compactBytes = o.compactBytes ?? 4 * 1024 * 1024;
    this.saveAckMs = o.saveAckMs ?? 200;
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'queue.jsonl');
    this.ackFile = path.join(dir, 'queue.acked');
    this.ackedUpTo = existsSync(this.ackFile) ? Number(readFileSync(this.ackFile, 'utf8').trim()) || 0 : 0;
    this.savedAck = this.ackedUpTo;
    this.lastSeq = this.ackedUpTo;
    if (existsSync(this.file)) {
      for (const text of readFileSync(this.file, 'utf8').split('\n')) {
        const e = DiskQueue.parse(text);
        if (!e) continue; // a torn last line from a crash, or blank
        this.lastSeq = Math.max(this.lastSeq, e.seq);
        if (e.seq > this.ackedUpTo) this.pendingEntries.push(e);
      }
      this.pendingEntries.sort((a, b) => a.seq - b.seq);
    }
    this.fd = openSync(this.file, 'a');
    if (this.pendingEntries.length === 0) this.truncate();
  }

  private static parse(text: string): QueueEntry | undefined {
    if (!text) return undefined;
    try {
      const l = JSON.parse(text) as Line;
      if (typeof l.q !== 'number' || typeof l.t !== 'string' || typeof l.p !== 'string') return undefined;
      return { seq: l.q, topic: l.t, payload: l.p, retain: l.r === true };
    } catch {
      return undefined;
    }
  }

  /** Entries not yet acknowledged, oldest first. */
  get pending(): readonly QueueEntry[] {
    return this.pendingEntries;
  }

  get size(): number {
    return this.pendingEntries.length;
  }

  /** Append a message; undefined (and `overflowed` counts it) when the queue is full. */
  push(m: QueuedMessage): QueueEntry | undefined {
    if (this.pendingEntries.length >= this.limit) {
      this.overflowed++;
      return undefined;
    }
    const e: QueueEntry = { seq: ++this.lastSeq, topic: m.topic, payload: m.payload, retain: m.retain };
    const line: Line = { q: e.seq, t: e.topic, p: e.payload, r: e.retain };
    writeSync(this.fd, JSON.stringify(line) + '\n');
    this.pendingEntries.push(e);
    return e;
  }

  /** The broker acknowledged entry `seq` (acknowledgements may come in any order). */
  ack(seq: number): void {
    const k = this.pendingEntries.findIndex((e) => e.seq === seq);
    if (k < 0) return;
    this.pendingEntries.splice(k, 1);
    // entries leave only when acknowledged: everything before the oldest pending one was
    const upTo = (this.pendingEntries[0]?.seq ?? this.lastSeq + 1) - 1;
    if (upTo !== this.ackedUpTo) {
      this.ackedUpTo = upTo;
      this.scheduleSave();
    }
    if (this.pendingEntries.length === 0) this.truncate();
    else if (fstatSync(this.fd).size > this.compactBytes) this.compact();
  }

  private scheduleSave(): void {
    if (this.saveAckMs === 0) { this.saveAck(); return; }
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => { this.saveTimer = undefined; this.saveAck(); }, this.saveAckMs);
    this.saveTimer.unref();
  }

  private saveAck(): void {
    if (this.savedAck === this.ackedUpTo) return;
    const tmp = `${this.ackFile}.tmp`;
    writeFileSync(tmp, `${this.ackedUpTo}\n`);
    renameSync(tmp, this.ackFile);
    this.savedAck = this.ackedUpTo;
  }

  /** Nothing pending: empty the file (the acknowledged mark keeps the sequence going). */
  private truncate(): void {
    this.saveAck();
    ftruncateSync(this.fd, 0);
  }

  /** Rewrite the file with only the pending entries (atomic rename). */
  private compact(): void {
    this.saveAck();
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, this.pendingEntries.map((e) => JSON.stringify({ q: e.seq, t: e.topic, p: e.payload, r: e.retain } satisfies Line) + '\n').join(''));
    closeSync(this.fd);
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
  }

  close(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.saveAck();
    closeSync(this.fd);
  }
}
