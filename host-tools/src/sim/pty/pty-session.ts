// One client session of a served PTY: one socat process making a pair of PTYs,
//
//   socat -t 0 pty,raw,echo=0,wait-slave,pty-interval=0.01,link=<dir>/pub-N
//              pty,raw,echo=0,wait-slave,pty-interval=0.01,link=<dir>/in-N
//
// socat makes the public PTY and waits for a client to open it; only then does it make the
// private one, which this process opens with `serialport` (bytes the client sent meanwhile
// wait in the PTY). When the client closes, socat reads EIO, exits and removes its links.
// socat runs under `setpriv --pdeathsig TERM` where available, so it also exits when this
// process is killed with SIGKILL.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';

/** A failure to set up or keep the PTY, with a one-line reason. */
export class PtyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PtyError';
  }
}

let setprivFound: boolean | undefined;
/** util-linux setpriv (to tie socat's life to ours), if installed. */
function haveSetpriv(): boolean {
  if (setprivFound === undefined) setprivFound = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  return setprivFound;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const lastLine = (s: string): string => s.trim().split('\n').pop() ?? '';

export interface PtySessionEvents {
  /** A client opened the public PTY and we are connected to it. */
  onConnect: (s: PtySession) => void;
  onData: (d: Uint8Array) => void;
  /** socat is gone; `error` unless a client session ended normally or we stopped it. */
  onEnd: (s: PtySession, error: string | undefined) => void;
}

export class PtySession {
  /** The link to the public PTY (what clients end up opening). */
  readonly pubLink: string;
  private readonly inLink: string;
  private child: ChildProcess | undefined;
  private port: SerialPort | undefined;
  private stderr = '';
  private waitTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private hadClient = false;

  constructor(dir: string, n: number, private readonly ev: PtySessionEvents) {
    this.pubLink = path.join(dir, `pub-${n}`);
    this.inLink = path.join(dir, `in-${n}`);
  }

  get connected(): boolean {
    return this.port?.isOpen === true;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Start socat; resolves when the public PTY exists and waits for a client. */
  async start(timeoutMs = 5000): Promise<void> {
    const opt = 'raw,echo=0,wait-slave,pty-interval=0.01';
    const socatArgs = ['-t', '0', '-d', '-d', `pty,${opt},link=${this.pubLink}`, `pty,${opt},link=${this.inLink}`];
    const useSetpriv = haveSetpriv();
    const child = useSetpriv
      ? spawn('setpriv', ['--pdeathsig', 'TERM', '--', 'socat', ...socatArgs], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn('socat', socatArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (b: Buffer) => { this.stderr = (this.stderr + b.toString()).slice(-4000); });
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e) => { spawnError = e; });
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(this.pubLink)) {
      if (spawnError) {
        throw new PtyError(spawnError.code === 'ENOENT' ? 'socat is not installed (e.g. apt-get install socat)' : `cannot run socat: ${spawnError.message}`);
      }
      if (!this.alive) {
        throw new PtyError(useSetpriv && /No such file|not found/i.test(this.stderr)
          ? 'socat is not installed (e.g. apt-get install socat)'
          : `socat exited: ${lastLine(this.stderr)}`);
      }
      if (Date.now() > deadline) { this.stop(); throw new PtyError('socat did not create its PTY in time'); }
      await sleep(5);
    }
    child.on('exit', (code, sig) => this.ended(code, sig));
    // a client opening the public PTY makes socat create the private one: connect to it
    this.waitTimer = setInterval(() => {
      if (this.stopping || !existsSync(this.inLink)) return;
      clearInterval(this.waitTimer);
      this.connect();
    }, 5);
  }

  write(data: Buffer, maxBacklog: number): boolean {
    const port = this.port;
    if (!port?.isOpen || port.writableLength + data.length > maxBacklog) return false;
    port.write(data);
    return true;
  }

  /** End the session (socat removes its links). */
  stop(): void {
    this.stopping = true;
    clearInterval(this.waitTimer);
    if (this.alive) this.child!.kill('SIGTERM');
    this.closePort();
  }

  /** Resolves when socat has exited. */
  exited(): Promise<void> {
    const c = this.child;
    return !c || !this.alive ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));
  }

  private connect(): void {
    this.hadClient = true;
    const port = new SerialPort({ path: this.inLink, baudRate: 115200, autoOpen: false });
    port.on('data', (b: Buffer) => this.ev.onData(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    port.on('error', () => undefined); // the session ending shows up as socat's exit
    port.open((e) => {
      if (e || this.stopping) {
        // the client left before we got there (socat then ends on its own), or we are stopping
        if (!e) port.close();
        else this.stop();
        return;
      }
      this.port = port;
      this.ev.onConnect(this);
    });
  }

  private closePort(): void {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close();
  }

  private ended(code: number | null, sig: NodeJS.Signals | null): void {
    clearInterval(this.waitTimer);
    this.closePort();
    // normal: the client closed (socat exits 0), or we stopped it
    const normal = this.stopping || (code === 0 && this.hadClient);
    this.ev.onEnd(this, normal ? undefined : `socat exited (${sig ?? `code ${code}`}): ${lastLine(this.stderr)}`);
  }
}
