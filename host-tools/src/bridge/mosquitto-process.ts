// A real mosquitto broker in a child process, on a free loopback port with its own
// config and directory: what the tests and `stipple bench --mqtt` run the bridge against.
// It can be killed (SIGKILL, a crash) and started again on the same port and config.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/** The mosquitto executable, or undefined when it is not installed. */
export function findMosquitto(): string | undefined {
  for (const p of ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto', '/opt/homebrew/sbin/mosquitto', '/usr/local/opt/mosquitto/sbin/mosquitto']) {
    if (existsSync(p)) return p;
  }
  const r = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  const p = r.status === 0 ? r.stdout.trim() : '';
  return p || undefined;
}

/** A TCP port nobody listens on right now (loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' });
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

export interface MosquittoOptions {
  /** Listen here (default: a free port). */
  port?: number;
  /** Keep retained messages and sessions in its directory (saved every 1–2 s, on save() and at exit). */
  persistence?: boolean;
  /** More config lines (e.g. TLS listener settings). */
  extraConfig?: string[];
}

export class MosquittoProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly dir: string;
  private readonly conf: string;
  /** mosquitto's own log (for a failing test to show). */
  log = '';

  private constructor(readonly bin: string, readonly port: number, o: MosquittoOptions) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'stipple-mosquitto-'));
    this.conf = path.join(this.dir, 'mosquitto.conf');
    const lines = [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${o.persistence ? 'true' : 'false'}`,
      `persistence_location ${this.dir}/`,
      'autosave_interval 1',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'max_queued_messages 100000',
      ...(o.extraConfig ?? []),
    ];
    // started as root, mosquitto drops to the user "mosquitto", who cannot use our directory
    if (process.getuid?.() === 0) lines.push(`user ${userInfo().username}`);
    writeFileSync(this.conf, lines.join('\n') + '\n');
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start mosquitto; rejects if it is not installed or does not accept connections within 5 s. */
  static async start(o: MosquittoOptions = {}): Promise<MosquittoProcess> {
    const bin = findMosquitto();
    if (!bin) throw new Error('mosquitto is not installed (apt-get install mosquitto)');
    const m = new MosquittoProcess(bin, o.port ?? (await freePort()), o);
    await m.launch();
    return m;
  }

  /** Start it again on the same port and config (after kill()). */
  async launch(): Promise<void> {
    const child = spawn(this.bin, ['-c', this.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (b: Buffer) => { this.log += b.toString(); });
    this.exited = new Promise((r) => child.once('exit', () => r()));
    const end = Date.now() + 5000;
    while (!(await accepting(this.port))) {
      if (child.exitCode !== null || Date.now() > end) {
        child.kill('SIGKILL');
        throw new Error(`mosquitto did not start on port ${this.port}: ${this.log.trim().split('\n').slice(-3).join(' | ')}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * With persistence: make it write its database now (SIGUSR1) and resolve once the new file
   * is in place. Its own autosave runs only when `now - last save > interval` in whole
   * seconds, i.e. up to 2 s after a change; a test that crashes it must not guess.
   */
  async save(timeoutMs = 5000): Promise<void> {
    const db = path.join(this.dir, 'mosquitto.db');
    // mosquitto writes mosquitto.db.new and renames it over mosquitto.db: a new inode
    const before = existsSync(db) ? statSync(db).ino : -1;
    this.child?.kill('SIGUSR1');
    const end = Date.now() + timeoutMs;
    while (!existsSync(db) || statSync(db).ino === before) {
      if (Date.now() > end) throw new Error(`mosquitto did not save ${db} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Kill it (default SIGKILL: a crash, nothing saved) and wait until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    await this.exited;
  }

  /** Stop it and remove its directory. */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
