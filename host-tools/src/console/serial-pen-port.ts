// `stipple console --port P`: a pen on this machine's serial port (or a `stipple sim
// --pty` PTY), served to a page that has no Web Serial of its own (another browser, or a
// pen plugged into another computer). Console bytes pass through untouched; there is no
// rig and no virtual handset.
import { SerialTransport } from '../link/serial-transport';
import { base64ToBytes } from './base64';
import type { ClientMessage } from './console-messages';
import type { PenPort, PortClient } from './pen-port';

export class SerialPenPort implements PenPort {
  private client: PortClient | undefined;
  private failCbs: ((why: string) => void)[] = [];
  private closing = false;

  private constructor(private readonly path: string, private readonly port: SerialTransport) {
    port.onData((d) => this.client?.pen(d));
    port.onClose(() => {
      if (!this.closing) for (const f of this.failCbs) f(`${path} closed (pen unplugged or reset, or the simulator stopped)`);
    });
  }

  static async open(path: string): Promise<SerialPenPort> {
    try {
      return new SerialPenPort(path, await SerialTransport.open(path));
    } catch (e) {
      throw new Error(`cannot open ${path}: ${(e as Error).message.replace(/^Error: /, '')}`);
    }
  }

  hello() {
    return { mode: 'serial' as const, port: this.path, sim: null };
  }

  attach(client: PortClient | undefined): void {
    this.client = client;
  }

  handle(m: ClientMessage): void {
    if (m.t !== 'pen') throw new Error(`"${m.t}" needs the virtual pen of stipple console --sim; this console serves ${this.path}`);
    this.port.write(base64ToBytes(m.d));
  }

  onFailure(cb: (why: string) => void): void {
    this.failCbs.push(cb);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.client = undefined;
    await this.port.close();
  }
}
