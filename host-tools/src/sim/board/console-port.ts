// The interpreter's side of the console: Espruino's REPL line editor and the packet
// protocol (2v25+), mirroring jsinteractive.c.
//
// REPL: printable characters are echoed and collected; on CR or LF the line is run if
// its brackets are balanced (else the line continues, shown with ':'). The result is
// printed as `=value` and the `>` prompt comes back when the interpreter is idle again.
// A line that starts with DLE (0x10) runs without echo, without `=value` and without a
// prompt. Output from print()/console.log first removes the shown input line
// ("\r\x1B[J"), and the prompt is redrawn afterwards, as on the device. Newlines in
// printed text go out as CR LF.
//
// Packets: DLE SOH, a 16-bit big-endian header (3 bits type, 13 bits length), data.
//   EVAL 0x2000      evaluate; ACK + RESPONSE packet with E.toJS(result), or NAK + error
//   EVENT 0x4000     liberal JSON object -> E.emit('packet', obj); ACK if E has a 'packet'
//                    listener (even if it throws), NAK if not an object or no listener
//   FILE_SEND 0x6000 {fn, s}: start writing Storage file fn of s bytes; ACK/NAK
//   DATA 0x8000      the next part of the file (written at the running offset); ACK.
//                    As on the device, a failed Storage write prints an error but is
//                    still ACKed. The file ends when s bytes arrived (or after 10 s idle).
//   FILE_RECV 0xA000 {fn}: ACK, then DATA packets of <= 1024 bytes and an empty DATA one
// A packet not complete within `packetTimeout` (2 s as in 2v25; newer firmware uses 5 s)
// is NAKed and dropped. Compressed (c:1) and FAT (fs:1) file transfers are NAKed.

import { formatValue, liberalToStrictJson, toJS } from './value-format';

export const ACK = 0x06;
export const NAK = 0x15;
export const DLE = 0x10;
export const SOH = 0x01;

export const PT = {
  RESPONSE: 0x0000,
  EVAL: 0x2000,
  EVENT: 0x4000,
  FILE_SEND: 0x6000,
  DATA: 0x8000,
  FILE_RECV: 0xa000,
} as const;

export type EvalResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What the console needs from the board. */
export interface ConsoleServices {
  /** Raw output to the host (8-bit string). */
  out(s: string): void;
  /** Run code in the global scope. */
  evaluate(code: string, filename: string): EvalResult;
  /** Report an uncaught error (prints "Uncaught ..."). */
  reportError(err: unknown): void;
  /** Parse strict JSON in the firmware's realm. */
  parseJson(text: string): unknown;
  /** E.emit('packet', obj); false if E has no 'packet' listener. */
  emitPacket(obj: unknown): boolean;
  storageWrite(name: string, data: Uint8Array, offset: number, size: number): void;
  storageRead(name: string): Uint8Array | undefined;
  /** Start (or restart) a timeout; returns a cancel function. */
  setTimeout(kind: 'packet' | 'file', seconds: number): () => void;
  readonly version: string;
  readonly boardName: string;
}

const enum S {
  NONE,
  HAD_R,
  PK0,
  PK1,
  PKDATA,
  HAD_DLE,
  ESC,
  ESC_O,
  ESC_BR,
  ESC_BR_NUM,
}

function bytesToLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Unbalanced ( [ { outside strings and comments. */
export function openBrackets(src: string): number {
  let depth = 0;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < n && src[i] !== c) i += src[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') { const e = src.indexOf('*/', i + 2); i = e < 0 ? n : e + 2; if (e < 0) return depth + 1; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    i++;
  }
  return depth;
}

export class ConsoleInterpreter {
  packetTimeout = 2;
  /** echo(false) in the firmware */
  echoOff = false;
  private echoOffForLine = false;
  private inputLine = '';
  private savedLine = '';
  private state = S.NONE;
  private pkLen = 0;
  private pkBuf: Uint8Array = new Uint8Array(0);
  private pkGot = 0;
  private inputLineRemoved = true;
  private cancelPacketTimeout: (() => void) | null = null;
  private cancelFileTimeout: (() => void) | null = null;
  private pkFile: { fn: string; s: number; offs: number } | null = null;

  constructor(private readonly svc: ConsoleServices) {}

  private echo(): boolean {
    return !this.echoOff && !this.echoOffForLine;
  }

  private showInputLine(): boolean {
    return this.echo() && !this.inputLineRemoved;
  }

  /** Output with \n -> \r\n (jsiConsolePrint). */
  private printRaw(s: string): void {
    this.svc.out(s.replace(/\n/g, '\r\n'));
  }

  /** print()/console.log text (a newline is added by the caller). */
  print(s: string): void {
    this.removeInputLine();
    this.printRaw(s);
  }

  removeInputLine(): void {
    if (!this.inputLineRemoved) {
      this.inputLineRemoved = true;
      if (this.echo()) this.svc.out('\r\x1B[J');
    }
  }

  /** Called by the board when the interpreter goes idle: redraw the prompt if it was removed. */
  returnInputLine(): void {
    if (this.inputLineRemoved && !this.inPacket) {
      this.inputLineRemoved = false;
      if (this.echo()) this.svc.out('>' + this.inputLine.replace(/\n/g, '\r\n:'));
    }
  }

  get inPacket(): boolean {
    return this.state === S.PK0 || this.state === S.PK1 || this.state === S.PKDATA;
  }

  /** One byte from the host. */
  handleByte(ch: number): void {
    switch (this.state) {
      case S.PK0:
        this.echoOffForLine = false;
        this.pkLen = ch << 8;
        this.state = S.PK1;
        return;
      case S.PK1: {
        this.pkLen |= ch;
        const size = this.pkLen & 0x1fff;
        if (size === 0) this.packetProcess();
        else {
          if (this.pkBuf.length !== size) this.pkBuf = new Uint8Array(size);
          this.pkGot = 0;
          this.state = S.PKDATA;
        }
        return;
      }
      case S.PKDATA:
        this.pkBuf[this.pkGot++] = ch;
        if (this.pkGot >= (this.pkLen & 0x1fff)) this.packetProcess();
        return;
      default:
        break;
    }
    if (ch === 0) {
      this.state = S.NONE;
    } else if (ch === SOH) {
      if (this.state === S.HAD_DLE) this.packetStart();
    } else if (ch === 3) {
      // Ctrl-C: handled in the IRQ on the device; nothing runs long enough here to interrupt
    } else if (ch === 5) {
      if (this.inputLine === '') this.printRaw(`Espruino ${this.svc.version} ${this.svc.boardName}\n`);
    } else if (ch === DLE) {
      if (this.inputLine === '') this.echoOffForLine = true;
      this.state = S.HAD_DLE;
    } else if (ch === 27) {
      this.state = S.ESC;
    } else if (this.state === S.ESC) {
      this.state = S.NONE;
      if (ch === 79) this.state = S.ESC_O;
      else if (ch === 91) this.state = S.ESC_BR;
      else if (ch === 10) this.newLine(false);
    } else if (this.state === S.ESC_O) {
      this.state = S.NONE;
    } else if (this.state === S.ESC_BR) {
      this.state = ch >= 48 && ch <= 57 ? S.ESC_BR_NUM : S.NONE;
    } else if (this.state === S.ESC_BR_NUM) {
      if (!(ch >= 48 && ch <= 57)) this.state = S.NONE;
    } else {
      this.state = S.NONE;
      if (ch === 8 || ch === 0x7f) {
        if (this.inputLine.length > 0) {
          this.inputLine = this.inputLine.slice(0, -1);
          if (this.showInputLine()) this.svc.out('\x08 \x08');
        }
      } else if (ch === 13 || ch === 10) {
        if (ch === 13) this.state = S.HAD_R;
        this.newLine(true);
      } else if (ch >= 32 || ch === 9) {
        const s = ch === 9 ? '    ' : String.fromCharCode(ch);
        this.inputLine += s;
        if (this.showInputLine()) this.svc.out(s);
      }
    }
  }

  private newLine(execute: boolean): void {
    if (execute && openBrackets(this.inputLine) <= 0) {
      if (this.showInputLine()) this.printRaw('\n');
      if (!this.echoOffForLine) this.inputLineRemoved = true;
      const line = this.inputLine.replace(/\s+$/, '');
      this.inputLine = '';
      const r = this.svc.evaluate(line, 'REPL');
      if (!r.ok) this.svc.reportError(r.error);
      else if (this.echo() && line !== '') this.print('=' + formatValue(r.value, true) + '\n');
      this.echoOffForLine = false;
    } else {
      if (this.showInputLine()) this.printRaw('\n:');
      this.inputLine += '\n';
    }
  }

  // ------------------------------------------------------------------ packets

  private packetStart(): void {
    this.state = S.PK0;
    this.savedLine = this.inputLine;
    this.inputLine = '';
    this.cancelPacketTimeout = this.svc.setTimeout('packet', this.packetTimeout);
  }

  /** The packet timeout fired. */
  packetTimedOut(): void {
    if (!this.inPacket) return;
    this.svc.out(String.fromCharCode(NAK));
    this.packetExit();
  }

  /** The FILE_SEND idle timeout fired. */
  fileTimedOut(): void {
    this.pkFile = null;
    this.cancelFileTimeout = null;
  }

  private packetExit(): void {
    this.state = S.NONE;
    this.pkLen = 0;
    if (this.cancelPacketTimeout) this.cancelPacketTimeout();
    this.cancelPacketTimeout = null;
    this.inputLine = this.savedLine;
    this.savedLine = '';
  }

  private fileEnd(): void {
    this.pkFile = null;
    if (this.cancelFileTimeout) this.cancelFileTimeout();
    this.cancelFileTimeout = null;
  }

  private ack(ok: boolean): void {
    this.svc.out(String.fromCharCode(ok ? ACK : NAK));
  }

  private reply(type: number, data: string | null): void {
    const len = type | (data ? data.length : 0);
    this.svc.out(String.fromCharCode(DLE, SOH, len >> 8, len & 255) + (data ?? ''));
  }

  private parseLiberalObject(text: string): Record<string, unknown> | undefined {
    const strict = liberalToStrictJson(text);
    if (strict === undefined) return undefined;
    let v: unknown;
    try {
      v = this.svc.parseJson(strict);
    } catch {
      return undefined; // what the liberal scanner let through but is no value (e.g. "1.2.3"): NAK, as the device
    }
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  }

  private packetProcess(): void {
    const type = this.pkLen & 0xe000;
    const size = this.pkLen & 0x1fff;
    const data = size === 0 ? new Uint8Array(0) : this.pkBuf.subarray(0, size);
    const text = bytesToLatin1(data);
    // leave packet mode first (the handlers below may print)
    this.packetExit();
    if (type === PT.EVAL) {
      const r = this.svc.evaluate(text, 'EVAL');
      if (!r.ok) {
        this.ack(false);
        this.svc.reportError(r.error);
      } else {
        this.ack(true);
        this.reply(PT.RESPONSE, toJS(r.value));
      }
    } else if (type === PT.EVENT) {
      const obj = this.parseLiberalObject(text);
      const ok = obj !== undefined && this.svc.emitPacket(obj);
      this.ack(ok);
    } else if (type === PT.FILE_RECV) {
      const obj = this.parseLiberalObject(text);
      const fn = obj && obj.fn;
      const f = typeof fn === 'string' && !obj!.fs ? this.svc.storageRead(fn) : undefined;
      if (!f) this.ack(false);
      else {
        this.ack(true);
        for (let i = 0; i < f.length; i += 1024) this.reply(PT.DATA, bytesToLatin1(f.subarray(i, i + 1024)));
        this.reply(PT.DATA, null);
      }
    } else if (type === PT.FILE_SEND) {
      this.fileEnd();
      const obj = this.parseLiberalObject(text);
      let ok = obj !== undefined && typeof obj.fn === 'string' && Math.trunc(Number(obj.s) || 0) !== 0 && !obj.fs && !obj.c;
      if (ok) {
        this.pkFile = { fn: obj!.fn as string, s: Math.trunc(Number(obj!.s)), offs: 0 };
        this.cancelFileTimeout = this.svc.setTimeout('file', 10);
      }
      this.ack(ok);
    } else if (type === PT.DATA) {
      const f = this.pkFile;
      if (!f) this.ack(false);
      else {
        try {
          this.svc.storageWrite(f.fn, data.slice(), f.offs, f.s);
        } catch (e) {
          if (e instanceof Error && e.name === 'PowerLossError') throw e;
          this.svc.reportError(e);
        }
        f.offs += size;
        if (f.offs >= f.s) this.fileEnd();
        else {
          if (this.cancelFileTimeout) this.cancelFileTimeout();
          this.cancelFileTimeout = this.svc.setTimeout('file', 10);
        }
        this.ack(true);
      }
    } else {
      this.ack(false);
    }
  }
}
