// A test's MQTT client: subscribes to everything under the scheme, checks every message
// against the zod schema of its topic (docs/mqtt.md's table), keeps them in arrival
// order, and sends commands (MQTT 5 response topic + correlation data, or the 3.1.1
// fallback with replyTo in the body) and waits for their replies.
import { randomUUID } from 'node:crypto';
import { connect } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { CommandReply, TOPIC_TABLE, TopicScheme } from '@stipple/protocol';
import type { TopicSpec } from '@stipple/protocol';

export interface Received {
  topic: string;
  /** The parsed JSON payload (undefined for an empty retained-clear message). */
  payload: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  retain: boolean;
  /** Kind from the topic: status, info, telemetry, strokes, faults, counters, calibration, bridgeStatus, reply, command. */
  kind: string;
  serial?: string;
  /** Wall clock at arrival, ms (performance.timeOrigin-based, as payload ts). */
  at: number;
}

export interface WatcherOptions {
  prefix?: string;
  version?: 4 | 5;
  clientId?: string;
  /** false: a persistent session (survives a broker restart where the broker keeps sessions). */
  clean?: boolean;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
}

const SPECS: Record<string, TopicSpec> = {
  status: TOPIC_TABLE.status, info: TOPIC_TABLE.info, telemetry: TOPIC_TABLE.telemetry, 'telemetry/strokes': TOPIC_TABLE.strokes,
  faults: TOPIC_TABLE.faults, counters: TOPIC_TABLE.counters, calibration: TOPIC_TABLE.calibration,
};

export class Watcher {
  readonly all: Received[] = [];
  readonly invalid: string[] = [];
  readonly topics: TopicScheme;
  private readonly replyBase: string;
  private readonly waiters = new Map<string, (r: CommandReply) => void>();

  private constructor(readonly client: MqttClient, o: WatcherOptions) {
    this.topics = new TopicScheme(o.prefix);
    this.replyBase = `test-replies/${randomUUID().slice(0, 8)}`;
    client.on('message', (topic, buf, packet) => this.onMessage(topic, buf, packet.retain, packet.properties?.correlationData));
  }

  static async connect(url: string, o: WatcherOptions = {}): Promise<Watcher> {
    const opts: IClientOptions = {
      protocolVersion: o.version ?? 4, clientId: o.clientId ?? `watch-${randomUUID().slice(0, 8)}`, clean: o.clean ?? true,
      reconnectPeriod: 100, ca: o.ca, cert: o.cert, key: o.key, username: o.username, password: o.password,
    };
    if ((o.version ?? 4) === 5 && o.clean === false) opts.properties = { sessionExpiryInterval: 3600 };
    const client = connect(url, opts);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const w = new Watcher(client, o);
    await client.subscribeAsync([w.topics.all(), `${w.replyBase}/#`], { qos: 1 });
    return w;
  }

  private onMessage(topic: string, buf: Buffer, retain: boolean, correlationData?: Buffer): void {
    const at = performance.timeOrigin + performance.now();
    let payload: unknown;
    if (buf.length > 0) {
      try {
        payload = JSON.parse(buf.toString('utf8'));
      } catch {
        this.invalid.push(`${topic}: not JSON`);
        return;
      }
    }
    let kind = 'other';
    let spec: TopicSpec | undefined;
    let serial: string | undefined;
    const pen = this.topics.parsePen(topic);
    if (topic.startsWith(`${this.replyBase}/`) || (pen && /^cmd\/[^/]+\/reply$/.test(pen.leaf))) {
      kind = 'reply';
      spec = TOPIC_TABLE.reply;
    } else if (pen && /^cmd\/[^/]+$/.test(pen.leaf)) {
      kind = 'command'; // requests (ours): not checked, some are malformed on purpose
    } else if (pen) {
      spec = SPECS[pen.leaf];
      kind = pen.leaf === 'telemetry/strokes' ? 'strokes' : pen.leaf;
      serial = pen.serial;
    } else if (topic.startsWith(`${this.topics.root}/_bridge/`) && topic.endsWith('/status')) {
      kind = 'bridgeStatus';
      spec = TOPIC_TABLE.bridgeStatus;
    }
    if (spec && payload !== undefined) {
      const r = spec.schema.safeParse(payload);
      if (!r.success) this.invalid.push(`${topic}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    } else if (kind === 'other') {
      this.invalid.push(`${topic}: not a topic of the scheme`);
    }
    this.all.push({ topic, payload, retain, kind, serial, at });
    if (kind === 'reply' && payload) {
      const key = correlationData ? correlationData.toString('utf8') : (payload as { correlation?: string }).correlation;
      if (key) this.waiters.get(key)?.(payload as CommandReply);
    }
  }

  of(kind: string, serial?: string): Received[] {
    return this.all.filter((m) => m.kind === kind && (serial === undefined || m.serial === serial));
  }

  /** Poll `cond` until true; `state`, if given, describes what was seen when it times out. */
  async waitFor(cond: () => boolean, timeoutMs: number, what: string, state?: () => string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? ` (${state()})` : ''}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Send command `name` about `serial` and wait for the reply. `via`: 'v5' (response topic
   * and correlation data properties; the client must be MQTT 5), 'body' (3.1.1 fallback:
   * replyTo/correlation in the body), 'default' (no reply topic: …/cmd/<name>/reply, body correlation).
   */
  async command(serial: string, name: string, via: 'v5' | 'body' | 'default', body: Record<string, unknown> = {}, timeoutMs = 10000): Promise<CommandReply> {
    const correlation = randomUUID();
    const replyTopic = `${this.replyBase}/${correlation.slice(0, 8)}`;
    const got = new Promise<CommandReply>((resolve) => this.waiters.set(correlation, resolve));
    let payload = body;
    const opts: { qos: 1; properties?: { responseTopic: string; correlationData: Buffer } } = { qos: 1 };
    if (via === 'v5') opts.properties = { responseTopic: replyTopic, correlationData: Buffer.from(correlation) };
    else if (via === 'body') payload = { ...body, replyTo: replyTopic, correlation };
    else payload = { ...body, correlation };
    await this.client.publishAsync(this.topics.command(serial, name), JSON.stringify(payload), opts);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no reply to ${name} within ${timeoutMs} ms`)), timeoutMs); });
    try {
      return await Promise.race([got, timeout]);
    } finally {
      clearTimeout(timer);
      this.waiters.delete(correlation);
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}
