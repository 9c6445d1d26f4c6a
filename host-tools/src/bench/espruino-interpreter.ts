// A real Espruino interpreter built for Linux (ESPRUINO_BIN) as a pen on a console: the
// host talks to its stdin/stdout exactly as to a pen's USB port (REPL lines, DLE SOH
// packets), through a PenClient on the wall clock. Quirks of the Linux build (2v29):
// byte 0x04 on stdin exits it, SIGTERM is ignored (SIGKILL), stdin EOF makes it spin (kept
// open until the kill), Storage lives in ./espruino.flash (a fresh temp directory each).
// hil-tests/support/espruino-process.ts drives it the same way for the conformance test.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PenClient } from '../link/pen-client';
import type { ByteTransport } from '../link/transport';

export class EspruinoInterpreter {
  readonly client: PenClient;
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly dir: string;
  private out = '';
  private receiver: ((d: Uint8Array) => void) | undefined;

  constructor(bin: string) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'stipple-bench-espruino-'));
    this.proc = spawn(bin, [], { cwd: this.dir });
    this.proc.stdout.on('data', (d: Buffer) => {
      this.out += d.toString('latin1');
      this.receiver?.(d);
    });
    this.proc.stderr.on('data', () => undefined);
    this.proc.stdin.on('error', () => undefined); // EPIPE once it has died: died() reports it
    this.proc.on('error', (e) => { this.out += `\n[spawn error: ${e.message}]`; });
    const transport: ByteTransport = {
      write: (d) => { this.proc.stdin.write(Buffer.from(d)); },
      onData: (cb) => { this.receiver = cb; },
      close: async () => { this.receiver = undefined; },
    };
    this.client = new PenClient(transport, { hostName: 'stipple-bench', timeoutMs: 2000 });
  }

  /** Everything the interpreter printed so far (latin-1). */
  text(): string {
    return this.out;
  }

  /** Why the interpreter exited (its last lines), or '' while it runs. */
  died(): string {
    if (this.proc.exitCode === null && this.proc.signalCode === null) return '';
    const assert = /ASSERT\([^\n]*/.exec(this.out);
    return `the interpreter exited${assert ? `: ${assert[0].trim()}` : ` (code ${this.proc.exitCode})`}`;
  }

  /** Wait until the output since `from` satisfies `pred`, or throw after `ms`. */
  async waitFor(pred: (t: string) => boolean, ms: number, from = 0): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.out.slice(from))) {
      if (this.proc.exitCode !== null) throw new Error(`the interpreter exited (code ${this.proc.exitCode}): ${this.out.slice(-300)}`);
      if (Date.now() > end) throw new Error(`the interpreter did not answer within ${ms} ms: ${this.out.slice(-300)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Upload `code` as .bootcde and run it (load()), as a pen boots it; returns what it printed while booting. */
  async boot(code: string, settleMs = 1500): Promise<string> {
    await this.waitFor((t) => t.includes('>'), 5000);
    await this.client.uploadFile('.bootcde', code);
    const mark = this.out.length;
    this.proc.stdin.write('\x10load()\n');
    await new Promise((r) => setTimeout(r, settleMs));
    return this.out.slice(mark);
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
    this.proc.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
