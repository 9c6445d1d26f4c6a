// --ports auto: every serial port that looks like an Espruino board (USB id, `stipple
// ports`), checked every few seconds, so a pen plugged in later is served too. A port
// already served is left to its agent (which reopens it when it comes back).
import { listPorts } from '../serial/list-ports';
import type { BridgeLog } from './bridge-log';

export class AutoPorts {
  private timer: NodeJS.Timeout | undefined;
  private scanning = false;

  constructor(
    private readonly has: (path: string) => boolean,
    private readonly add: (path: string) => void,
    private readonly log: BridgeLog,
    private readonly everyMs = 2000,
  ) {}

  start(): void {
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.everyMs);
    this.timer.unref();
  }

  private async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      for (const p of await listPorts()) {
        if (!p.espruino || this.has(p.path)) continue;
        this.log('info', 'port-found', `found ${p.path} (${p.why ?? 'Espruino'})`, { port: p.path });
        this.add(p.path);
      }
    } catch (e) {
      this.log('warn', 'port-scan-failed', `listing serial ports failed: ${(e as Error).message}`);
    } finally {
      this.scanning = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
