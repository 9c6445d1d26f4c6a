// Drives a real Espruino interpreter built for Linux (ESPRUINO_BIN) through its console,
// as a host would drive a pen over USB: REPL lines and DLE SOH packets on stdin.
// Quirks of the Linux build (seen on 2v29): byte 0x04 on stdin exits at once, SIGTERM is
// ignored (we SIGKILL), stdin EOF makes it spin (we keep stdin open), and Storage lives in
// ./espruino.flash of the working directory (each run gets a fresh temp directory).
import { spawn, ChildProcessWithoutNullStreams } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import type { ByteTransport } from '@stipple/host-tools/link/transport';

export class EspruinoProcess {
  readonly proc: ChildProcessWithoutNullStreams;
  private out = Buffer.alloc(0);
  private dir: string;
  private listeners: ((d: Uint8Array) => void)[] = [];

  constructor(bin: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'stipple-espruino-'));
    this.proc = spawn(bin, [], { cwd: this.dir });
    this.proc.stdout.on('data', (d: Buffer) => {
      this.out = Buffer.concat([this.out, d]);
      for (const l of this.listeners) l(d);
    });
    this.proc.stderr.on('data', () => {});
  }

  /** Everything the interpreter wrote so far, as latin-1 text. */
  text(): string {
    return this.out.toString('latin1');
  }

  bytes(): Buffer {
    return this.out;
  }

  write(data: Uint8Array | string): void {
    this.proc.stdin.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
  }

  /** Wait until `pred(outputSinceMark)` holds, or fail after `ms`. */
  async waitFor(pred: (text: string) => boolean, ms: number, from = 0): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const t = this.text().slice(from);
      if (pred(t)) return t;
      if (Date.now() > end) throw new Error(`timed out; console said:\n${t.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Run a line without echo (DLE prefix) and return what it printed up to the prompt. */
  async evalLine(code: string, ms = 5000): Promise<string> {
    const mark = this.text().length;
    const tag = `__done${Math.floor(Math.random() * 1e9)}`;
    this.write(`\x10${code};print("${tag}")\n`);
    const t = await this.waitFor((s) => s.includes(tag), ms, mark);
    return t.slice(0, t.indexOf(tag));
  }

  /** The console as a host ByteTransport (for PenClient), as a USB serial port would be. */
  transport(): ByteTransport {
    return {
      write: (d) => this.write(d),
      onData: (cb) => { this.listeners = [cb]; },
      close: async () => { this.listeners = []; },
    };
  }

  kill(): void {
    this.proc.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
