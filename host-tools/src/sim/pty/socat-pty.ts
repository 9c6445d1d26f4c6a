// A pseudo-terminal at a path of the user's choosing that other programs open like a USB
// serial port, served with socat (one PtySession per client).
//
// <path> is our symlink to the link of a *standby* session, a fresh PTY waiting for a
// client; a spare session waits behind it. As soon as a client connects to the standby,
// <path> is re-pointed (atomically, by rename) to the spare and a new spare starts, so a
// client that closes the port and opens it again gets a fresh PTY instead of the one being
// torn down. (Within the ~15 ms socat and we take to notice a client, a second opener
// shares the first one's PTY; a client that closes within that time and reopens may find
// <path> dangling for a moment: ENOENT, retry.) Output goes to every
// connected client; output while none is connected is dropped, as the pen's USB port
// (Espruino drops console output while no host has it open) and a dial indicator's UART
// drop it, so the next client never reads a backlog of stale replies and readings.
//
// Cleanup: close() (SIGINT/SIGTERM) stops socat and removes <path>. After SIGKILL socat
// still exits (pdeathsig) and removes its own links, leaving <path> dangling; the next
// server at that path replaces it.
import { existsSync, lstatSync, mkdtempSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PtyError, PtySession } from './pty-session';

export { PtyError } from './pty-session';

export interface SocatPtyOptions {
  /** Bytes queued towards a slow client beyond which output is dropped (default 64 KB). */
  maxBacklog?: number;
}

/** Refuse a path we must not replace. A dangling symlink (a killed server's) is fine. */
function checkLinkPath(p: string): void {
  if (!existsSync(path.dirname(p))) throw new PtyError(`cannot create ${p}: folder ${path.dirname(p)} does not exist`);
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return; // nothing there
  }
  if (!st.isSymbolicLink()) throw new PtyError(`${p} exists and is not a PTY link; remove it or pick another path`);
  if (existsSync(p)) throw new PtyError(`${p} already links to a live ${readlinkSync(p)} (another simulator?); stop it or pick another path`);
}

export class SocatPty {
  /** The path clients open. */
  readonly path: string;
  private readonly dir: string;
  private readonly maxBacklog: number;
  private readonly sessions = new Set<PtySession>();
  /** The session the public path points at, waiting for a client. */
  private standby: PtySession | undefined;
  /** The next standby, started in advance. */
  private spare: PtySession | undefined;
  private spareReady = false;
  private promotePending = false;
  private n = 0;
  private closing = false;
  private cb: ((d: Uint8Array) => void) | undefined;
  private exitCbs: ((why: string) => void)[] = [];
  /** Bytes dropped because no client had the port open or it did not read them. */
  dropped = 0;
  /** Client sessions so far. */
  connections = 0;

  private constructor(linkPath: string, o: SocatPtyOptions) {
    this.path = path.resolve(linkPath);
    this.dir = mkdtempSync(path.join(tmpdir(), 'stipple-pty-'));
    this.maxBacklog = o.maxBacklog ?? 65536;
  }

  /** Serve a PTY at `linkPath`; resolves once clients can open it. */
  static async open(linkPath: string, o: SocatPtyOptions = {}): Promise<SocatPty> {
    checkLinkPath(path.resolve(linkPath));
    const pty = new SocatPty(linkPath, o);
    try {
      await pty.startFirst();
    } catch (e) {
      pty.killNow();
      throw e;
    }
    return pty;
  }

  /** Some client has the port open. */
  get connected(): boolean {
    for (const s of this.sessions) if (s.connected) return true;
    return false;
  }

  /** Send bytes to every connected client; dropped if none is connected (or one has not read maxBacklog bytes). */
  write(data: Uint8Array | string): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    let sent = false;
    if (!this.closing) for (const s of this.sessions) if (s.write(buf, this.maxBacklog)) sent = true;
    if (!sent) this.dropped += buf.length;
  }

  /** Bytes from any client (one receiver). */
  onData(cb: (d: Uint8Array) => void): void {
    this.cb = cb;
  }

  /** Called once if the PTY cannot be served any longer. */
  onExit(cb: (why: string) => void): void {
    this.exitCbs.push(cb);
  }

  /** Stop serving: socat exits, the path is removed. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const all = [...this.sessions];
    for (const s of all) s.stop();
    await Promise.all(all.map((s) => s.exited()));
    this.cleanupFiles();
  }

  /** Synchronous last resort (process 'exit' handler). */
  killNow(): void {
    this.closing = true;
    for (const s of this.sessions) s.stop();
    this.cleanupFiles();
  }

  private cleanupFiles(): void {
    try {
      if (readlinkSync(this.path).startsWith(this.dir)) unlinkSync(this.path);
    } catch { /* not ours or gone */ }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private fail(why: string): void {
    if (this.closing) return;
    void this.close();
    for (const f of this.exitCbs) f(why);
  }

  private newSession(): PtySession {
    const s = new PtySession(this.dir, ++this.n, {
      onConnect: (x) => this.onClient(x),
      onData: (d) => this.cb?.(d),
      onEnd: (x, err) => this.ended(x, err),
    });
    this.sessions.add(s);
    return s;
  }

  /** Start the first session and point the public path at it, then start a spare. */
  private async startFirst(): Promise<void> {
    const s = this.newSession();
    this.standby = s;
    await s.start();
    this.link(s);
    await this.startSpare();
  }

  /** A second session, ready to take over the public path the moment a client takes the standby. */
  private async startSpare(): Promise<void> {
    const s = this.newSession();
    this.spare = s;
    this.spareReady = false;
    await s.start();
    if (this.closing) { s.stop(); return; }
    this.spareReady = true;
    if (this.promotePending) this.promote();
  }

  /** Point the public path at the spare (now the standby) and start a new spare. */
  private promote(): void {
    if (this.closing) return;
    if (!this.spare || !this.spareReady) { this.promotePending = true; return; }
    this.promotePending = false;
    this.standby = this.spare;
    this.spare = undefined;
    this.link(this.standby);
    this.startSpare().catch((e: Error) => this.fail(e.message));
  }

  /** Atomic re-point: a client opening <path> gets either the old standby or the new one, never nothing. */
  private link(s: PtySession): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    try { unlinkSync(tmp); } catch { /* none */ }
    symlinkSync(s.pubLink, tmp);
    renameSync(tmp, this.path);
  }

  private onClient(s: PtySession): void {
    this.connections++;
    if (s === this.standby) this.promote();
    else if (s === this.spare) { this.spare = undefined; this.startSpare().catch((e: Error) => this.fail(e.message)); }
  }

  private ended(s: PtySession, err: string | undefined): void {
    this.sessions.delete(s);
    if (this.closing) return;
    if (err) { this.fail(err); return; }
    // a client that left before we connected ends the standby (or spare) itself: replace it
    if (s === this.standby) this.promote();
    else if (s === this.spare) { this.spare = undefined; this.startSpare().catch((e: Error) => this.fail(e.message)); }
  }
}
