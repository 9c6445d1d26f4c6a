// A pseudo-terminal that other programs open like a USB serial port, made with socat:
//
//   socat pty,raw,echo=0,link=<path>  pty,raw,echo=0,wait-slave,link=<private dir>/in
//
// Clients open <path>; this process opens the private end with `serialport`. Why these
// options: `wait-slave` on the private end only makes socat see our end close (EIO) and
// exit, removing both links, even when this process is killed with SIGKILL; the public
// end has no `wait-slave`, so socat keeps the public PTY open itself and survives clients
// coming and going (stipple, the espruino CLI, screen…). Bytes written while no client
// reads are buffered by the kernel (tens of KB) and read by the next client (serialport
// flushes them on open); beyond a backlog bound they are dropped, as on a UART.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';

/** A failure to set up or keep the PTY, with a one-line reason. */
export class PtyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PtyError';
  }
}

export interface SocatPtyOptions {
  /** Bytes queued towards clients beyond which output is dropped (default 64 KB). */
  maxBacklog?: number;
  /** Give up when the links have not appeared after this long, ms (default 5000). */
  startTimeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Refuse a path we must not replace: socat would unlink whatever is there. */
function checkLinkPath(p: string): void {
  if (!existsSync(path.dirname(p))) throw new PtyError(`cannot create ${p}: folder ${path.dirname(p)} does not exist`);
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return; // nothing there
  }
  if (!st.isSymbolicLink()) throw new PtyError(`${p} exists and is not a PTY link; remove it or pick another path`);
  const target = readlinkSync(p);
  if (existsSync(path.resolve(path.dirname(p), target))) {
    throw new PtyError(`${p} already links to a live ${target} (another simulator?); stop it or pick another path`);
  }
  // a stale link left by a killed server: socat replaces it
}

export class SocatPty {
  private cb: ((d: Uint8Array) => void) | undefined;
  private closing = false;
  private exitCbs: ((why: string) => void)[] = [];
  /** Bytes dropped because nobody read them. */
  dropped = 0;

  private constructor(
    /** The path clients open. */
    readonly path: string,
    private readonly child: ChildProcess,
    private readonly port: SerialPort,
    private readonly dir: string,
    private readonly maxBacklog: number,
    private readonly stderr: () => string,
  ) {
    port.on('data', (b: Buffer) => this.cb?.(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    port.on('error', () => undefined); // write errors after socat died: reported through onExit
    child.on('exit', (code, sig) => {
      if (this.closing) return;
      const why = `socat for ${this.path} exited (${sig ?? `code ${code}`}): ${this.stderr().trim().split('\n').pop() ?? ''}`;
      for (const f of this.exitCbs) f(why);
    });
  }

  static async open(linkPath: string, o: SocatPtyOptions = {}): Promise<SocatPty> {
    const pub = path.resolve(linkPath);
    checkLinkPath(pub);
    const dir = mkdtempSync(path.join(tmpdir(), 'stipple-pty-'));
    const inner = path.join(dir, 'in');
    let err = '';
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${pub}`, `pty,raw,echo=0,wait-slave,link=${inner}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-4000); });
    let spawnError: Error | undefined;
    child.on('error', (e) => { spawnError = e; });
    const fail = (msg: string): never => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
      throw new PtyError(msg);
    };
    const deadline = Date.now() + (o.startTimeoutMs ?? 5000);
    while (!(existsSync(pub) && existsSync(inner))) {
      if (spawnError) {
        const enoent = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        fail(enoent ? 'socat is not installed (e.g. apt-get install socat)' : `cannot run socat: ${spawnError.message}`);
      }
      if (child.exitCode !== null || child.signalCode !== null) fail(`socat exited: ${err.trim().split('\n').pop() ?? ''}`);
      if (Date.now() > deadline) fail(`socat did not create ${pub} in time`);
      await sleep(10);
    }
    const port = new SerialPort({ path: inner, baudRate: 115200, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    } catch (e) {
      fail(`cannot open the PTY ${inner}: ${(e as Error).message}`);
    }
    return new SocatPty(pub, child, port, dir, o.maxBacklog ?? 65536, () => err);
  }

  /** socat's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Send bytes to whoever has the PTY open; dropped when nobody has read the last maxBacklog bytes. */
  write(data: Uint8Array | string): void {
    if (this.closing || !this.port.isOpen) return;
    const n = data.length;
    if (this.port.writableLength + n > this.maxBacklog) {
      this.dropped += n;
      return;
    }
    this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
  }

  /** Bytes from the client (one receiver). */
  onData(cb: (d: Uint8Array) => void): void {
    this.cb = cb;
  }

  /** Called if socat dies while the PTY is meant to be open. */
  onExit(cb: (why: string) => void): void {
    this.exitCbs.push(cb);
  }

  /** Close our end; socat then exits and removes the links. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const exited = this.child.exitCode !== null || this.child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => this.child.once('exit', () => r()));
    await new Promise<void>((r) => (this.port.isOpen ? this.port.close(() => r()) : r()));
    const t = setTimeout(() => this.child.kill('SIGTERM'), 1000);
    await exited;
    clearTimeout(t);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Last resort from a process 'exit' handler (synchronous): stop socat now. */
  killNow(): void {
    this.closing = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
