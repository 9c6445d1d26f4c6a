// The brokers the bridge tests run against: Aedes in this process (the embedded broker's
// engine; MQTT 3.1.1) and a real mosquitto child process (MQTT 5) when installed. Both can
// be killed (connections cut, no DISCONNECT) and started again on the same port.
// - mosquitto keeps sessions on disk (its autosave, or save() now), so a persistent
//   subscriber finds its subscription again after the restart, as on a production broker.
// - Aedes keeps nothing: after a restart it refuses the clients named in `holdBack` until
//   `release()`, so a test can let its own subscriber back in first.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsOptions } from 'node:tls';
import { Aedes } from 'aedes';
import { findMosquitto, freePort, MosquittoProcess } from '../../src/bridge/mosquitto-process';

export const haveMosquitto = findMosquitto() !== undefined;

export interface TestBroker {
  readonly name: 'aedes' | 'mosquitto';
  readonly url: string;
  readonly port: number;
  /** Write sessions to disk now, so a crash after it keeps them (mosquitto; Aedes keeps nothing). */
  save(): Promise<void>;
  /** Crash now (synchronously cut every connection); resolves when it is gone. */
  kill(): Promise<void>;
  /** Start again on the same port. Aedes: clients whose id starts with `holdBack` are refused until release(). */
  restart(holdBack?: string): Promise<{ release(): void }>;
  stop(): Promise<void>;
}

export interface AedesOptions {
  tls?: TlsOptions;
  /** Accept only these credentials (username/password). */
  credentials?: { username: string; password: string };
}

export class AedesBroker implements TestBroker {
  readonly name = 'aedes' as const;
  private broker!: Aedes;
  private server!: Server;
  private sockets = new Set<Socket>();
  private held: string | undefined;
  /** Client ids that connected (authenticated or not), in order. */
  readonly connects: { id: string; ok: boolean; username?: string }[] = [];
  /** Resolves the next time a client whose id starts with `prefix` subscribes. */
  private subscribeWaiters: { prefix: string; resolve: () => void }[] = [];

  private constructor(readonly port: number, private readonly o: AedesOptions) {}

  get url(): string {
    return `${this.o.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  static async start(o: AedesOptions = {}, port?: number): Promise<AedesBroker> {
    const b = new AedesBroker(port ?? (await freePort()), o);
    await b.launch();
    return b;
  }

  private async launch(): Promise<void> {
    this.broker = await Aedes.createBroker();
    this.broker.authenticate = (client, username, password, done) => {
      const id = client.id;
      let ok = !(this.held && id.startsWith(this.held));
      if (ok && this.o.credentials) ok = username === this.o.credentials.username && password?.toString() === this.o.credentials.password;
      this.connects.push({ id, ok, username });
      if (ok) done(null, true);
      else done(Object.assign(new Error('not authorised'), { returnCode: 5 }) as never, false);
    };
    this.broker.on('subscribe', (_subs, client) => {
      for (const w of this.subscribeWaiters.filter((x) => client?.id.startsWith(x.prefix))) w.resolve();
    });
    this.sockets = new Set();
    const onConn = (s: Socket): void => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    };
    this.server = this.o.tls ? createTlsServer(this.o.tls, this.broker.handle as never) : createServer(this.broker.handle as never);
    this.server.on(this.o.tls ? 'secureConnection' : 'connection', onConn);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Resolves when a client whose id starts with `prefix` next subscribes. */
  subscribed(prefix: string): Promise<void> {
    return new Promise((resolve) => this.subscribeWaiters.push({ prefix, resolve }));
  }

  save(): Promise<void> {
    return Promise.resolve();
  }

  kill(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.broker.close();
    return closed;
  }

  async restart(holdBack?: string): Promise<{ release(): void }> {
    this.held = holdBack;
    await this.launch();
    return { release: () => { this.held = undefined; } };
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}

export class MosquittoBroker implements TestBroker {
  readonly name = 'mosquitto' as const;

  private constructor(readonly m: MosquittoProcess) {}

  static async start(): Promise<MosquittoBroker> {
    return new MosquittoBroker(await MosquittoProcess.start({ persistence: true }));
  }

  get url(): string {
    return this.m.url;
  }

  get port(): number {
    return this.m.port;
  }

  save(): Promise<void> {
    return this.m.save();
  }

  kill(): Promise<void> {
    return this.m.kill('SIGKILL');
  }

  async restart(): Promise<{ release(): void }> {
    await this.m.launch();
    return { release: () => undefined };
  }

  stop(): Promise<void> {
    return this.m.stop();
  }
}
