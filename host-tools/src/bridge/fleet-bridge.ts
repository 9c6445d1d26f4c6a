// The fleet bridge (`stipple bridge`): one connection to an MQTT broker, one agent per
// pen port, the on-disk queue for what must not be lost, the command router, and the
// bridge's own status (retained, and its connection's last will). docs/mqtt.md.
import { performance } from 'node:perf_hooks';
import { MQTT_PAYLOAD_VERSION, TopicScheme } from '@stipple/protocol';
import type { BridgeStatusPayload } from '@stipple/protocol';
import type { BackoffOptions } from './backoff';
import type { BridgeLog } from './bridge-log';
import { silentLog } from './bridge-log';
import { CommandRouter } from './command-router';
import { DiskQueue } from './disk-queue';
import { MqttLink } from './mqtt-link';
import type { MqttVersionChoice } from './mqtt-link';
import { OrderedPublisher } from './ordered-publisher';
import { Outbox } from './outbox';
import { PenAgent } from './pen-agent';
import type { PenPort } from './pen-port';
import { StateDirLock } from './state-dir';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const BRIDGE_VERSION = (require('../../package.json') as { version: string }).version;

export interface FleetBridgeOptions {
  brokerUrl: string;
  /** Names this bridge in topics and its client id; stable across restarts. */
  bridgeId: string;
  /** Topic prefix (default "stipple"). */
  prefix?: string;
  /** Where the on-disk queue lives (one bridge per directory). */
  stateDir: string;
  /** Most fault/status messages queued on disk while the broker is away (default 10000). */
  queueLimit?: number;
  mqttVersion?: MqttVersionChoice;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Strokes per pen telemetry record (default 20). */
  tlmEvery?: number;
  /** Publish every pen telemetry record on …/telemetry/strokes (default false). */
  rawStrokes?: boolean;
  backoff?: BackoffOptions;
  /** Republish the bridge status this often while connected, ms (default 30000). */
  statusEveryMs?: number;
  /** QoS 1 messages in flight at once (default 32). */
  window?: number;
  log?: BridgeLog;
}

export interface FleetBridgeStats {
  connected: boolean;
  mqtt: '5' | '3.1.1';
  connections: number;
  ports: number;
  pensOnline: number;
  queue: { limit: number; pending: number; overflowed: number };
  acknowledged: number;
  telemetrySent: number;
  telemetryDropped: number;
  skipped: number;
  invalid: number;
  queueWriteFailed: number;
  commands: { answered: number; refused: number; failed: number };
}

/** Payload time stamps: ms since 1970 with sub-ms resolution (for latency measurements). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export class FleetBridge {
  readonly topics: TopicScheme;
  readonly link: MqttLink;
  readonly queue: DiskQueue;
  readonly outbox: Outbox;
  readonly agents: PenAgent[] = [];
  private readonly publisher: OrderedPublisher;
  private readonly router: CommandRouter;
  private readonly lock: StateDirLock;
  private readonly log: BridgeLog;
  private readonly runs: Promise<void>[] = [];
  private readonly subscribed = new Set<string>();
  private statusTimer: NodeJS.Timeout | undefined;
  private statusSoon: NodeJS.Timeout | undefined;
  private stop: () => void = () => undefined;
  private readonly stopped: Promise<void>;
  private stopping = false;

  constructor(private readonly o: FleetBridgeOptions) {
    this.log = o.log ?? silentLog;
    this.topics = new TopicScheme(o.prefix);
    this.lock = StateDirLock.take(o.stateDir);
    try {
      this.queue = new DiskQueue(o.stateDir, { limit: o.queueLimit });
    } catch (e) {
      this.lock.release();
      throw e;
    }
    if (this.queue.size > 0) this.log('info', 'queue-restored', `${this.queue.size} fault/status messages from the last run wait in ${this.queue.file}; they go out first`);
    this.stopped = new Promise<void>((r) => { this.stop = r; });
    this.link = new MqttLink({
      url: o.brokerUrl, clientId: `stipple-bridge-${o.bridgeId}`.slice(0, 64), version: o.mqttVersion,
      will: () => ({ topic: this.topics.bridgeStatus(o.bridgeId), payload: JSON.stringify(this.bridgeStatus('offline', 'connection lost (last will)')) }),
      username: o.username, password: o.password, ca: o.ca, cert: o.cert, key: o.key, backoff: o.backoff, log: this.log,
    });
    this.publisher = new OrderedPublisher(this.link, this.queue, o.window);
    this.outbox = new Outbox(this.topics, this.publisher, this.link, this.log);
    this.router = new CommandRouter(this.topics, this.outbox, (serial) => this.agents.find((a) => a.serial === serial), this.log, wallNow);
    this.link.onMessage((topic, payload, packet) => this.router.handle(topic, payload, packet));
    // on (re)connection: first what waited on disk, in order; then the bridge and its pens afresh
    this.link.onUp(() => this.publisher.afterBacklog(() => {
      this.outbox.bridgeStatus(this.bridgeStatus('online', null));
      for (const a of this.agents) a.rebirth();
    }));
  }

  /** Connect and serve `ports` (more may be added with addPort). */
  start(ports: PenPort[] = []): void {
    this.link.start();
    for (const p of ports) this.addPort(p);
    const every = this.o.statusEveryMs ?? 30000;
    this.statusTimer = setInterval(() => { if (this.link.connected) this.outbox.bridgeStatus(this.bridgeStatus('online', null)); }, every);
    this.statusTimer.unref();
  }

  /** Serve one more port (e.g. one that `--ports auto` just found). */
  addPort(port: PenPort): PenAgent {
    const agent = new PenAgent(port, {
      outbox: this.outbox, bridgeId: this.o.bridgeId, log: this.log, tlmEvery: this.o.tlmEvery ?? 20, rawStrokes: this.o.rawStrokes ?? false,
      now: wallNow, stopped: this.stopped, changed: (a) => this.penChanged(a),
    });
    this.agents.push(agent);
    this.runs.push(agent.run().catch((e: unknown) => this.log('error', 'agent-failed', `${port.name}: ${(e as Error).message}`)));
    return agent;
  }

  hasPort(name: string): boolean {
    return this.agents.some((a) => a.port.name === name);
  }

  private penChanged(a: PenAgent): void {
    const twin = a.online && this.agents.find((b) => b !== a && b.online && b.serial === a.serial);
    if (twin) this.log('warn', 'duplicate-serial', `${a.serial} is on ${a.port.name} and on ${twin.port.name}: two pens with one serial share its topics; commands go to ${twin.port.name}`, { serial: a.serial });
    if (a.serial && !this.subscribed.has(a.serial)) {
      // commands for this pen only: with many bridges on one broker each hears its own pens'
      this.subscribed.add(a.serial);
      this.link.subscribe(this.topics.command(a.serial, '+'));
    }
    // one bridge status for a burst of pens coming and going
    if (this.statusSoon || this.stopping) return;
    this.statusSoon = setTimeout(() => {
      this.statusSoon = undefined;
      if (this.link.connected && !this.stopping) this.outbox.bridgeStatus(this.bridgeStatus('online', null));
    }, 200);
    this.statusSoon.unref();
  }

  bridgeStatus(status: 'online' | 'offline', reason: string | null): BridgeStatusPayload {
    return {
      v: MQTT_PAYLOAD_VERSION, ts: wallNow(), bridge: this.o.bridgeId, status, reason, version: BRIDGE_VERSION,
      mqtt: this.link?.mqttVersion ?? '5',
      pens: status === 'online' ? this.agents.filter((a) => a.online && a.serial).map((a) => a.serial!) : [],
      ports: this.agents.length,
      queue: { limit: this.queue.limit, pending: this.queue.size, overflowed: this.queue.overflowed },
      telemetryDropped: this.outbox?.telemetryDropped ?? 0,
      reconnects: Math.max(0, (this.link?.connections ?? 0) - 1),
    };
  }

  stats(): FleetBridgeStats {
    return {
      connected: this.link.connected,
      mqtt: this.link.mqttVersion,
      connections: this.link.connections,
      ports: this.agents.length,
      pensOnline: this.agents.filter((a) => a.online).length,
      queue: { limit: this.queue.limit, pending: this.queue.size, overflowed: this.queue.overflowed },
      acknowledged: this.publisher.acknowledged,
      telemetrySent: this.outbox.telemetrySent,
      telemetryDropped: this.outbox.telemetryDropped,
      skipped: this.publisher.skipped,
      invalid: this.outbox.invalid,
      queueWriteFailed: this.outbox.queueWriteFailed,
      commands: { ...this.router.stats },
    };
  }

  /** Messages handed over but not yet acknowledged by the broker. */
  get backlog(): number {
    return this.publisher.backlog;
  }

  /** Wait until every queued message has been acknowledged (false after `timeoutMs`). */
  drained(timeoutMs: number): Promise<boolean> {
    return this.publisher.drained(timeoutMs);
  }

  /**
   * Stop: every pen goes offline (status), the bridge says it stopped, what is queued gets
   * `drainMs` to reach the broker, then a clean disconnect (no last will). What is still
   * queued stays on disk for the next start.
   */
  async close(drainMs = 3000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.statusSoon) clearTimeout(this.statusSoon);
    this.stop();
    await Promise.all(this.runs);
    this.outbox.bridgeStatus(this.bridgeStatus('offline', 'stopped'));
    if (this.link.connected) await this.publisher.drained(drainMs);
    await this.link.close();
    this.queue.close();
    this.lock.release();
  }
}
