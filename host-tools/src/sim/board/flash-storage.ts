// The Storage area of the flash, modelled at byte level the way Espruino's jsflash.c
// lays it out, so that power loss mid-write leaves what a real flash would hold.
//
// Layout (a log, from address 0 of the area): each file is a 32-byte header
//   u32 LE  size | flags << 24
//   28 B    name, 0-padded; the first 4 bytes are zeroed to mark the file as trash
// followed by the data, the next header starting at the next 4-byte boundary.
// Erased flash reads 0xFF; programming can only clear bits (new = old & data).
// A scan stops at the first header whose size word is 0xFFFFFFFF, 0, or runs past the
// end of the area: everything after it is free space.
//
// Write order, as Espruino's jsfWriteFile does it: (1) if a file of that name exists and
// must be replaced, zero its name's first word (it is trash from here on), (2) write the
// new header, (3) write the data. Flash is programmed in aligned 32-bit words, each
// atomic. `failAfterBytes(n)` lets n more bytes be programmed, then power is lost: the
// word in flight is not written and the board goes off. So a rewrite interrupted after
// step (1) has lost the old copy; one interrupted during (3) leaves a file whose tail
// reads 0xFF. Page erases (compaction) do not count against the budget.

export class PowerLossError extends Error {
  constructor() {
    super('power lost while writing flash');
    this.name = 'PowerLossError';
  }
}

/** Thrown for the errors Espruino's Storage raises (the board rethrows them in the firmware's realm). */
export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

export interface StorageStats {
  totalBytes: number;
  freeBytes: number;
  fileBytes: number;
  fileCount: number;
  trashBytes: number;
  trashCount: number;
}

interface FileEntry {
  /** address of the header */
  addr: number;
  size: number;
  flags: number;
  name: string;
  trash: boolean;
}

const HEADER = 32;
const NAME_LEN = 28;
const ALIGN = 4;
const align = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

/** Bytes of a string as Espruino stores it: 8-bit chars as is, otherwise UTF-8. */
export function stringToBytes(s: string): Uint8Array {
  let wide = false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) { wide = true; break; }
  if (wide) return new Uint8Array(Buffer.from(s, 'utf8'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function bytesToString(b: Uint8Array): string {
  let s = '';
  const CH = 8192;
  for (let i = 0; i < b.length; i += CH) s += String.fromCharCode.apply(null, Array.prototype.slice.call(b, i, i + CH) as number[]);
  return s;
}

export class FlashStorage {
  readonly bytes: Uint8Array;
  readonly pageSize: number;
  readonly pages: number;
  /** Total bytes programmed since creation (statistic). */
  bytesWritten = 0;
  /** Page erases since creation (statistic: flash wear). */
  pageErases = 0;
  private budget = Infinity;
  private lost = false;
  /** Called once when injected power loss happens (the board powers off). */
  onPowerLoss: (() => void) | undefined;

  constructor(pageSize: number, pages: number) {
    this.pageSize = pageSize;
    this.pages = pages;
    this.bytes = new Uint8Array(pageSize * pages).fill(0xff);
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Power will be lost after `n` more bytes are programmed (undefined: never). */
  failAfterBytes(n: number | undefined): void {
    this.budget = n === undefined ? Infinity : Math.max(0, Math.floor(n));
    this.lost = false;
  }

  /** True once injected power loss has happened (until failAfterBytes is called again). */
  get powerLost(): boolean {
    return this.lost;
  }

  // ------------------------------------------------------------------ raw flash

  private program(addr: number, data: Uint8Array): void {
    if (addr + data.length > this.bytes.length) throw new StorageError('Write past end of Storage');
    const b = this.bytes;
    // aligned words; the first/last may be partial words (padded with 0xFF, which keeps bits)
    let i = 0;
    while (i < data.length) {
      const a = addr + i;
      const wordEnd = (a & ~3) + 4;
      const n = Math.min(wordEnd - a, data.length - i);
      if (this.budget < n) {
        this.budget = 0;
        this.powerFail();
      }
      this.budget -= n;
      for (let k = 0; k < n; k++) b[a + k] = b[a + k]! & data[i + k]!;
      this.bytesWritten += n;
      i += n;
    }
  }

  private powerFail(): never {
    this.lost = true;
    const cb = this.onPowerLoss;
    if (cb) cb();
    throw new PowerLossError();
  }

  private erasePage(p: number): void {
    this.bytes.fill(0xff, p * this.pageSize, (p + 1) * this.pageSize);
    this.pageErases++;
  }

  private u32(addr: number): number {
    const b = this.bytes;
    return (b[addr]! | (b[addr + 1]! << 8) | (b[addr + 2]! << 16) | (b[addr + 3]! << 24)) >>> 0;
  }

  private isErased(addr: number, len: number): boolean {
    const b = this.bytes;
    for (let i = 0; i < len; i++) if (b[addr + i] !== 0xff) return false;
    return true;
  }

  // ------------------------------------------------------------------ file table

  /** All headers in flash order; `end` is where free space starts. */
  private scan(): { files: FileEntry[]; end: number } {
    const files: FileEntry[] = [];
    const total = this.bytes.length;
    let addr = 0;
    while (addr + HEADER <= total) {
      const word = this.u32(addr);
      if (word === 0xffffffff || word === 0) break;
      const size = word & 0xffffff;
      if (size === 0 || addr + HEADER + size > total) break;
      const trash = this.u32(addr + 4) === 0;
      let name = '';
      if (!trash) {
        for (let i = 0; i < NAME_LEN; i++) {
          const c = this.bytes[addr + 4 + i]!;
          if (c === 0) break;
          name += String.fromCharCode(c);
        }
      }
      files.push({ addr, size, flags: word >>> 24, name, trash });
      addr = align(addr + HEADER + size);
    }
    return { files, end: Math.min(addr, total) };
  }

  private find(name: string): FileEntry | undefined {
    for (const f of this.scan().files) if (!f.trash && f.name === name) return f;
    return undefined;
  }

  private static checkName(name: string): void {
    if (typeof name !== 'string' || name.length === 0) throw new StorageError('Filename must be a non-empty string');
    if (name.length > NAME_LEN) throw new StorageError(`Filename too long (max ${NAME_LEN} chars)`);
  }

  private trashFile(f: FileEntry): void {
    this.program(f.addr + 4, new Uint8Array(4));
  }

  private create(name: string, size: number): FileEntry {
    const required = HEADER + align(size);
    let { files, end } = this.scan();
    if (this.bytes.length - end < required) {
      const trash = files.filter((f) => f.trash).reduce((s, f) => s + HEADER + align(f.size), 0);
      if (this.bytes.length - end + trash >= required) {
        this.compact();
        end = this.scan().end;
      }
      if (this.bytes.length - end < required) throw new StorageError('Unable to find or create file');
    }
    const hdr = new Uint8Array(HEADER);
    const word = (size | 0) >>> 0; // flags 0: a normal file
    hdr[0] = word & 0xff; hdr[1] = (word >>> 8) & 0xff; hdr[2] = (word >>> 16) & 0xff; hdr[3] = word >>> 24;
    for (let i = 0; i < name.length; i++) hdr[4 + i] = name.charCodeAt(i) & 0xff;
    this.program(end, hdr);
    return { addr: end, size, flags: 0, name, trash: false };
  }

  // ------------------------------------------------------------------ Storage API

  /**
   * Espruino's `Storage.write(name, data, offset, size)`: with offset 0 (and `size` for a
   * file written in parts) the file is (re)created; later calls fill it at `offset`.
   */
  write(name: string, data: Uint8Array | string, offset = 0, size?: number): boolean {
    FlashStorage.checkName(name);
    const d = typeof data === 'string' ? stringToBytes(data) : data;
    if (offset < 0 || (size !== undefined && size < 0)) return false;
    const total = size ? size : d.length;
    if (!total) throw new StorageError("Can't create zero length file");
    let f = this.find(name);
    if ((!f && offset === 0) || (f && offset === 0 && (f.flags !== 0 || f.size !== total || !this.isErased(f.addr + HEADER, total)))) {
      if (f && offset === 0 && f.size === total && f.flags === 0 && d.length === total && this.equalAt(f.addr + HEADER, d)) return true;
      if (f) this.trashFile(f);
      f = this.create(name, total);
    }
    if (!f) throw new StorageError('Unable to find or create file');
    if (offset + d.length > f.size) throw new StorageError('Too much data for file size');
    const at = f.addr + HEADER + offset;
    if (!this.isErased(at, d.length)) throw new StorageError('File already written with different data');
    this.program(at, d);
    return true;
  }

  /** Host convenience: write a whole file (e.g. the firmware bundle as `.bootcde`). */
  writeFile(name: string, data: Uint8Array | string): void {
    this.write(name, data);
  }

  private equalAt(addr: number, d: Uint8Array): boolean {
    for (let i = 0; i < d.length; i++) if (this.bytes[addr + i] !== d[i]) return false;
    return true;
  }

  readBytes(name: string, offset = 0, length?: number): Uint8Array | undefined {
    const f = this.find(name);
    if (!f) return undefined;
    const start = f.addr + HEADER + Math.max(0, Math.min(offset, f.size));
    const end = length === undefined ? f.addr + HEADER + f.size : Math.min(f.addr + HEADER + f.size, start + Math.max(0, length));
    return this.bytes.slice(start, end);
  }

  /** File contents as an 8-bit string, or undefined. */
  read(name: string, offset?: number, length?: number): string | undefined {
    const b = this.readBytes(name, offset, length);
    return b === undefined ? undefined : bytesToString(b);
  }

  erase(name: string): void {
    const f = this.find(name);
    if (f) this.trashFile(f);
  }

  /** Names of live files in flash order, optionally filtered. */
  list(filter?: (name: string) => boolean): string[] {
    const out: string[] = [];
    for (const f of this.scan().files) if (!f.trash && (!filter || filter(f.name))) out.push(f.name);
    return out;
  }

  getStats(): StorageStats {
    const { files, end } = this.scan();
    const s: StorageStats = { totalBytes: this.bytes.length, freeBytes: this.bytes.length - end, fileBytes: 0, fileCount: 0, trashBytes: 0, trashCount: 0 };
    for (const f of files) {
      const n = HEADER + align(f.size);
      if (f.trash) { s.trashBytes += n; s.trashCount++; } else { s.fileBytes += n; s.fileCount++; }
    }
    return s;
  }

  /** Free bytes after the last file (trash not counted, as Espruino's getFree). */
  getFree(): number {
    return this.bytes.length - this.scan().end;
  }

  /**
   * Reclaim trash: live files are copied to RAM, the pages erased and the files written
   * back packed. (Not power-safe in this model: power loss during it loses the files not
   * yet written back.)
   */
  compact(): void {
    const live = this.scan().files.filter((f) => !f.trash).map((f) => ({
      name: f.name, flags: f.flags, data: this.bytes.slice(f.addr + HEADER, f.addr + HEADER + f.size),
    }));
    for (let p = 0; p < this.pages; p++) this.erasePage(p);
    let addr = 0;
    for (const f of live) {
      const hdr = new Uint8Array(HEADER);
      const word = (f.data.length | (f.flags << 24)) >>> 0;
      hdr[0] = word & 0xff; hdr[1] = (word >>> 8) & 0xff; hdr[2] = (word >>> 16) & 0xff; hdr[3] = word >>> 24;
      for (let i = 0; i < f.name.length; i++) hdr[4 + i] = f.name.charCodeAt(i) & 0xff;
      this.program(addr, hdr);
      this.program(addr + HEADER, f.data);
      addr = align(addr + HEADER + f.data.length);
    }
  }

  /** Erase the whole area (Storage.eraseAll). */
  eraseAll(): void {
    for (let p = 0; p < this.pages; p++) this.erasePage(p);
  }
}
