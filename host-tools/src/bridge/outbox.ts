// Everything the bridge publishes passes here: checked against its zod schema (a payload
// that does not match is a bug: logged, counted, not sent), then sent with the QoS and
// retain flag of docs/mqtt.md's topic table (TOPIC_TABLE) by the right path: faults and
// statuses through the on-disk queue, retained state and replies only while connected,
// telemetry (QoS 0) dropped and counted while the broker is away.
import { TOPIC_TABLE } from '@stipple/protocol';
import type {
  BridgeStatusPayload, CalibrationSummaryPayload, CommandReply, CountersPayload, FaultPayload, PenInfoPayload, PenStatusPayload,
  StrokeRecordPayload, TelemetrySummaryPayload, TopicScheme, TopicSpec,
} from '@stipple/protocol';
import type { BridgeLog } from './bridge-log';
import type { MqttLink } from './mqtt-link';
import type { OrderedPublisher } from './ordered-publisher';

export class Outbox {
  /** Telemetry messages dropped because the broker was away. */
  telemetryDropped = 0;
  /** Payloads that failed their schema (bugs): never sent. */
  invalid = 0;
  /** Telemetry messages handed to the connection. */
  telemetrySent = 0;
  /** Fault/status messages lost because the on-disk queue could not be written. */
  queueWriteFailed = 0;

  constructor(readonly topics: TopicScheme, private readonly ordered: OrderedPublisher, private readonly link: MqttLink, private readonly log: BridgeLog) {}

  private json(spec: TopicSpec, topic: string, payload: unknown): string | undefined {
    const r = spec.schema.safeParse(payload);
    if (r.success) return JSON.stringify(payload);
    this.invalid++;
    this.log('error', 'invalid-payload', `not publishing ${topic}: the payload does not match its schema: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300)}`);
    return undefined;
  }

  private durable(spec: TopicSpec, topic: string, payload: unknown): boolean {
    const p = this.json(spec, topic, payload);
    if (p === undefined) return false;
    let ok: boolean;
    try {
      ok = this.ordered.durable({ topic, payload: p, retain: spec.retain });
    } catch (e) {
      // the disk is full or gone: the message cannot be kept; say so, carry on
      this.queueWriteFailed++;
      this.log('error', 'queue-write-failed', `cannot write the on-disk queue (${(e as Error).message}): dropped ${topic}`, { topic });
      return false;
    }
    if (!ok) this.log('error', 'queue-overflow', `on-disk queue full: dropped ${topic}`, { topic });
    return ok;
  }

  private current(spec: TopicSpec, topic: string, payload: unknown, correlationData?: Buffer): boolean {
    const p = this.json(spec, topic, payload);
    return p !== undefined && this.ordered.current({ topic, payload: p, retain: spec.retain, correlationData });
  }

  private qos0(spec: TopicSpec, topic: string, payload: unknown): boolean {
    const p = this.json(spec, topic, payload);
    if (p === undefined) return false;
    if (!this.link.connected) {
      this.telemetryDropped++;
      return false;
    }
    this.telemetrySent++;
    this.link.publish(topic, p, { qos: 0, retain: false }).catch(() => { this.telemetryDropped++; });
    return true;
  }

  penStatus(p: PenStatusPayload): boolean {
    return this.durable(TOPIC_TABLE.status, this.topics.pen(p.serial, 'status'), p);
  }

  bridgeStatus(p: BridgeStatusPayload): boolean {
    return this.durable(TOPIC_TABLE.bridgeStatus, this.topics.bridgeStatus(p.bridge), p);
  }

  fault(p: FaultPayload): boolean {
    return this.durable(TOPIC_TABLE.faults, this.topics.pen(p.serial, 'faults'), p);
  }

  info(p: PenInfoPayload): boolean {
    return this.current(TOPIC_TABLE.info, this.topics.pen(p.serial, 'info'), p);
  }

  counters(p: CountersPayload): boolean {
    return this.current(TOPIC_TABLE.counters, this.topics.pen(p.serial, 'counters'), p);
  }

  calibration(p: CalibrationSummaryPayload): boolean {
    return this.current(TOPIC_TABLE.calibration, this.topics.pen(p.serial, 'calibration'), p);
  }

  telemetry(p: TelemetrySummaryPayload): boolean {
    return this.qos0(TOPIC_TABLE.telemetry, this.topics.pen(p.serial, 'telemetry'), p);
  }

  strokes(p: StrokeRecordPayload): boolean {
    return this.qos0(TOPIC_TABLE.strokes, this.topics.pen(p.serial, 'telemetry/strokes'), p);
  }

  reply(topic: string, p: CommandReply, correlationData?: Buffer): boolean {
    return this.current(TOPIC_TABLE.reply, topic, p, correlationData);
  }
}
