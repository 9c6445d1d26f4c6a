// Versioned, CRC-checked records kept atomically in flash.
// Each record lives in two slots (`<kind>.a`, `<kind>.b`). A save overwrites the
// older slot and gives it the next sequence number, so a power cut at any byte of
// a write leaves the other slot, the previous valid record, intact.
import { Crc32, Flash } from './flash';

export type LoadStatus = 'ok' | 'missing' | 'corrupt';

export interface Loaded {
  status: LoadStatus;
  data: any;
  /** sequence number of the record loaded (0 when none) */
  seq: number;
}

interface Slot { seq: number; valid: boolean; present: boolean; data: any }

export class RecordStore {
  private flash: Flash;
  private crc32: Crc32;

  constructor(flash: Flash, crc32: Crc32) {
    this.flash = flash;
    this.crc32 = crc32;
  }

  private readSlot(name: string, version: number): Slot {
    const text = this.flash.read(name);
    if (text === undefined) return { seq: 0, valid: false, present: false, data: undefined };
    try {
      const rec = JSON.parse(text);
      if (rec.v !== version || typeof rec.d !== 'string' || this.crc32(rec.d) !== rec.c) {
        return { seq: 0, valid: false, present: true, data: undefined };
      }
      return { seq: rec.n, valid: true, present: true, data: JSON.parse(rec.d) };
    } catch (e) {
      return { seq: 0, valid: false, present: true, data: undefined };
    }
  }

  /** The newest valid copy of a record; `corrupt` when copies exist but none is valid. */
  load(kind: string, version: number): Loaded {
    const a = this.readSlot(kind + '.a', version);
    const b = this.readSlot(kind + '.b', version);
    const best = a.valid && (!b.valid || a.seq > b.seq) ? a : b;
    if (best.valid) return { status: 'ok', data: best.data, seq: best.seq };
    return { status: a.present || b.present ? 'corrupt' : 'missing', data: undefined, seq: 0 };
  }

  /** Write a new version of a record into the older slot. Returns false when flash refused it. */
  save(kind: string, version: number, data: any): boolean {
    const a = this.readSlot(kind + '.a', version);
    const b = this.readSlot(kind + '.b', version);
    const seq = Math.max(a.seq, b.seq) + 1;
    const target = !a.valid ? 'a' : !b.valid ? 'b' : a.seq < b.seq ? 'a' : 'b';
    const body = JSON.stringify(data);
    return this.flash.write(kind + '.' + target, JSON.stringify({ v: version, n: seq, c: this.crc32(body), d: body }));
  }

  /** The record before the newest one, if its slot is still valid (used to restore a calibration). */
  loadPrevious(kind: string, version: number): Loaded {
    const a = this.readSlot(kind + '.a', version);
    const b = this.readSlot(kind + '.b', version);
    if (!a.valid || !b.valid) return { status: 'missing', data: undefined, seq: 0 };
    const older = a.seq < b.seq ? a : b;
    return { status: 'ok', data: older.data, seq: older.seq };
  }

  erase(kind: string): void {
    this.flash.erase(kind + '.a');
    this.flash.erase(kind + '.b');
  }
}
