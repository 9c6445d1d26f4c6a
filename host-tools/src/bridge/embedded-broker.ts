// The broker the bridge brings along when no --broker is given: Aedes (MQTT 3.1.1) in
// this process, listening on loopback only (127.0.0.1), so a dashboard or mosquitto_sub on
// the same machine sees the pens without installing anything. Not for a fleet: Aedes
// keeps everything in memory and speaks no MQTT 5 (docs/mqtt.md, scale-out).
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Aedes } from 'aedes';

export const DEFAULT_MQTT_PORT = 1883;

export class EmbeddedBroker {
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly broker: Aedes, private readonly server: Server, readonly host: string, readonly port: number) {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  get url(): string {
    return `mqtt://${this.host === '127.0.0.1' ? 'localhost' : this.host}:${this.port}`;
  }

  /** Listen on `host:port` (port 0: any free port). Rejects with a clear message when the port is taken. */
  static async start(o: { port?: number; host?: string } = {}): Promise<EmbeddedBroker> {
    const host = o.host ?? '127.0.0.1';
    const want = o.port ?? DEFAULT_MQTT_PORT;
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(want, host, () => { server.off('error', reject); resolve(); });
      });
    } catch (e) {
      await new Promise<void>((r) => broker.close(() => r()));
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new Error(`${host}:${want} is in use (a broker already running there? then give --broker mqtt://localhost:${want}; or --listen another port)`);
      throw new Error(`cannot listen on ${host}:${want}: ${(e as Error).message}`);
    }
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : want;
    return new EmbeddedBroker(broker, server, host, port);
  }

  /** Stop: clients are disconnected (a client's will is not published by a closing broker). */
  async close(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    await new Promise<void>((r) => this.broker.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
