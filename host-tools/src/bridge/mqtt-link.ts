// The bridge's one connection to the broker (MQTT.js): MQTT 5 by default, falling back
// to 3.1.1 when the broker refuses 5 (Aedes does); the last will set at every connect;
// reconnects with exponential backoff (MQTT.js's fixed-period reconnect is off). A
// publish resolves when the broker acknowledged it (QoS 1) or it was written (QoS 0), and
// rejects if the connection drops first: each reconnect starts with empty MQTT.js stores,
// so what was in flight is re-sent by its owner (the on-disk queue) in order, never
// replayed behind its back.
import { connect } from 'mqtt';
import type { IClientOptions, IClientPublishOptions, IPublishPacket, MqttClient } from 'mqtt';
import { Backoff } from './backoff';
import type { BackoffOptions } from './backoff';
import type { BridgeLog } from './bridge-log';

export type MqttVersionChoice = 'auto' | '5' | '3.1.1';

export interface Will {
  topic: string;
  payload: string;
}

export interface MqttLinkOptions {
  url: string;
  clientId: string;
  /** 'auto' (default): MQTT 5, then 3.1.1 if the broker refuses 5. */
  version?: MqttVersionChoice;
  /** Built before every connection attempt (so its payload can carry fresh figures). */
  will?: () => Will;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  keepaliveS?: number;
  backoff?: BackoffOptions;
  log: BridgeLog;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
  /** MQTT 5 only (ignored on 3.1.1). */
  correlationData?: Buffer;
}

export class NotConnected extends Error {
  constructor(what: string) {
    super(`not connected to the broker (${what})`);
    this.name = 'NotConnected';
  }
}

interface InFlight {
  reject: (e: Error) => void;
}

export class MqttLink {
  private client: MqttClient | undefined;
  private readonly backoff: Backoff;
  private version: 4 | 5;
  private generation = 0;
  private readonly inFlight = new Set<InFlight>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private fallbackPending = false;
  private lastError = '';
  private readonly upCbs: (() => void)[] = [];
  private readonly downCbs: (() => void)[] = [];
  private messageCb: ((topic: string, payload: Buffer, packet: IPublishPacket) => void) | undefined;
  private readonly subscriptions: string[] = [];
  connected = false;
  /** Successful connections (the first included). */
  connections = 0;

  constructor(private readonly o: MqttLinkOptions) {
    this.backoff = new Backoff(o.backoff);
    this.version = o.version === '3.1.1' ? 4 : 5;
  }

  /** The MQTT version of the current (or next) connection. */
  get mqttVersion(): '5' | '3.1.1' {
    return this.version === 5 ? '5' : '3.1.1';
  }

  onUp(cb: () => void): void {
    this.upCbs.push(cb);
  }

  onDown(cb: () => void): void {
    this.downCbs.push(cb);
  }

  onMessage(cb: (topic: string, payload: Buffer, packet: IPublishPacket) => void): void {
    this.messageCb = cb;
  }

  /** Subscribed (QoS 1) at every connection. */
  subscribe(filter: string): void {
    this.subscriptions.push(filter);
    if (this.connected) this.client?.subscribe(filter, { qos: 1 });
  }

  private options(): IClientOptions {
    const o = this.o;
    const will = o.will?.();
    return {
      clientId: o.clientId,
      protocolVersion: this.version,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10000,
      keepalive: o.keepaliveS ?? 30,
      queueQoSZero: false,
      resubscribe: false,
      username: o.username,
      password: o.password,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      rejectUnauthorized: true,
      will: will ? { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true } : undefined,
    };
  }

  start(): void {
    if (this.client) return;
    const c = connect(this.o.url, this.options());
    this.client = c;
    c.on('connect', () => this.up());
    c.on('close', () => this.down());
    c.on('error', (e) => this.error(e as Error & { code?: number | string }));
    c.on('message', (topic, payload, packet) => this.messageCb?.(topic, payload, packet));
  }

  private up(): void {
    this.connected = true;
    this.connections++;
    this.backoff.reset();
    this.lastError = '';
    this.o.log('info', 'mqtt-connected', `connected to ${this.o.url} (MQTT ${this.mqttVersion})`, { url: this.o.url, mqtt: this.mqttVersion, connections: this.connections });
    if (this.subscriptions.length) this.client!.subscribe(this.subscriptions, { qos: 1 });
    for (const cb of this.upCbs) cb();
  }

  private down(): void {
    const was = this.connected;
    this.connected = false;
    this.generation++;
    const lost = [...this.inFlight];
    this.inFlight.clear();
    for (const f of lost) f.reject(new NotConnected('connection closed before the broker acknowledged'));
    if (was) {
      if (!this.closing) this.o.log('warn', 'mqtt-disconnected', `lost the broker at ${this.o.url}`, { url: this.o.url });
      for (const cb of this.downCbs) cb();
    }
    if (!this.closing) this.scheduleReconnect();
  }

  private error(e: Error & { code?: number | string }): void {
    // CONNACK 1 (3.1.1) / 132 (5): the broker does not speak MQTT 5
    if ((e.code === 1 || e.code === 132) && this.o.version !== '5' && this.version === 5) {
      this.version = 4;
      this.fallbackPending = true;
      this.o.log('info', 'mqtt-fallback', `${this.o.url} refused MQTT 5: using MQTT 3.1.1 (commands reply by the topic in the request, docs/mqtt.md)`);
      return;
    }
    const msg = e.message || String(e.code);
    if (msg !== this.lastError) this.o.log('warn', 'mqtt-error', `broker ${this.o.url}: ${msg}`, { url: this.o.url, code: e.code ?? null });
    this.lastError = msg;
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closing) return;
    const ms = this.fallbackPending ? 0 : this.backoff.next();
    this.fallbackPending = false;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closing || !this.client) return;
      // fresh options (version, will) and fresh stores: nothing old is replayed
      Object.assign(this.client.options, this.options());
      this.client.reconnect();
    }, ms);
  }

  /** Publish; resolves when acknowledged (QoS 1) or written (QoS 0). Rejects NotConnected when offline or if the connection drops first. */
  publish(topic: string, payload: string, p: PublishOptions): Promise<void> {
    const c = this.client;
    if (!c || !this.connected) return Promise.reject(new NotConnected(topic));
    const gen = this.generation;
    return new Promise<void>((resolve, reject) => {
      const f: InFlight = { reject };
      this.inFlight.add(f);
      const opts: IClientPublishOptions = { qos: p.qos, retain: p.retain };
      if (p.correlationData && this.version === 5) opts.properties = { correlationData: p.correlationData };
      c.publish(topic, payload, opts, (err) => {
        if (gen !== this.generation || !this.inFlight.has(f)) return; // already failed by down()
        this.inFlight.delete(f);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Disconnect cleanly (the broker then does not publish the will). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const c = this.client;
    if (!c) return;
    await Promise.race([c.endAsync(false), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
    await c.endAsync(true).catch(() => undefined);
  }
}
