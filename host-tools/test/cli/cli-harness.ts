// Runs the `stipple` CLI as a child process, as a technician would: bundled fresh from
// source next to dist/ (so it finds firmware/dist like the real one), with `stipple sim
// --pty` servers to talk to. Every child is tracked and killed by its pid in `cleanup`.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

export const ROOT = path.resolve(__dirname, '../../..');
export const haveSocat = spawnSync('socat', ['-V']).status === 0;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface SimServer {
  child: ChildProcess;
  ready: { pty: string; serial: string; secret: string; pid: number };
  exited: Promise<number | null>;
}

export class CliHarness {
  readonly cli: string;
  private readonly dir: string;
  private readonly children = new Set<ChildProcess>();

  constructor() {
    this.dir = mkdtempSync(path.join(ROOT, 'host-tools', 'dist', 'test-cli-'));
    this.cli = path.join(this.dir, 'main.js');
    buildSync({
      entryPoints: [path.join(ROOT, 'host-tools/src/cli/main.ts')], outfile: this.cli, bundle: true, platform: 'node', target: 'node20',
      format: 'cjs', packages: 'external', tsconfig: path.join(ROOT, 'tsconfig.json'), logLevel: 'silent',
    });
  }

  /** Start `stipple <args>`; `onStdout` sees its output as it comes. */
  spawn(args: string[], onStdout?: (all: string) => void): { child: ChildProcess; done: Promise<CliResult> } {
    const t0 = Date.now();
    const child = spawn(process.execPath, [this.cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); onStdout?.(stdout); });
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    const done = new Promise<CliResult>((resolve) => child.on('close', (code) => {
      this.children.delete(child);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    }));
    return { child, done };
  }

  run(args: string[]): Promise<CliResult> {
    return this.spawn(args).done;
  }

  /** `stipple sim --pty <pty> --json …`, resolved at its ready line. */
  async startSim(pty: string, args: string[] = []): Promise<SimServer> {
    let ready: (v: SimServer['ready']) => void = () => undefined;
    const readyP = new Promise<SimServer['ready']>((r) => { ready = r; });
    const { child, done } = this.spawn(['sim', '--json', '--pty', pty, ...args], (out) => {
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) ready(JSON.parse(line));
    });
    const exited = done.then((r) => r.code);
    const r = await Promise.race([readyP, done.then((x) => { throw new Error(`stipple sim exited (${x.code}): ${x.stderr}`); })]);
    return { child, ready: r, exited };
  }

  /** Stop a sim server the way a user does (SIGTERM), and wait for it. */
  async stopSim(s: SimServer): Promise<number | null> {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
    return s.exited;
  }

  /** Kill what is still running (by pid) and remove the bundle. */
  async cleanup(): Promise<void> {
    const left = [...this.children];
    for (const c of left) c.kill('SIGKILL');
    await Promise.all(left.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('close', r)))));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Processes whose command line mentions `s` (to prove nothing is left behind). */
export function processesMentioning(s: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(s)) pids.push(Number(p));
    } catch { /* gone */ }
  }
  return pids;
}

/** The lines of `--json` output that are JSON objects. */
export function jsonLines(out: string): Record<string, unknown>[] {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}
