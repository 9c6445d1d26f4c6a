// The bridge's state directory (its on-disk queue), one bridge at a time: a lock file
// holding the owner's pid; a lock left by a process that no longer runs is taken over.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** $XDG_STATE_HOME/stipple/bridge-<id>, or ~/.local/state/stipple/bridge-<id>. */
export function defaultStateDir(bridgeId: string): string {
  const base = process.env.XDG_STATE_HOME || path.join(homedir(), '.local', 'state');
  return path.join(base, 'stipple', `bridge-${bridgeId.replace(/[^A-Za-z0-9._-]/g, '_')}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StateDirLock {
  private constructor(readonly file: string) {}

  static take(dir: string): StateDirLock {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'bridge.lock');
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new Error(`another bridge (pid ${pid}) uses the state directory ${dir}; give each bridge its own --state-dir or --bridge-id`);
      }
    }
    writeFileSync(file, `${process.pid}\n`);
    return new StateDirLock(file);
  }

  release(): void {
    try {
      if (Number(readFileSync(this.file, 'utf8').trim()) === process.pid) rmSync(this.file);
    } catch {
      // already gone
    }
  }
}
