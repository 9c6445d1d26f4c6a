// Every QoS 1 message of the bridge goes out through here, in the order it was handed in,
// with at most `window` awaiting the broker's acknowledgement. Two kinds:
// - durable (faults, statuses): appended to the on-disk queue first, sent when the broker
//   is there, removed once acknowledged; while it is away they wait on disk (bounded) and
//   go out in order when it returns. If the connection drops with some in flight, they are
//   sent again from the oldest unacknowledged one, so order is kept (QoS 1 may duplicate).
// - current-state (retained info, counters, calibration; command replies): sent only
//   while connected, never queued: the pen's agents publish their state afresh at each
//   reconnect, and a command's requester has gone with the connection anyway.
import type { DiskQueue, QueueEntry } from './disk-queue';
import type { MqttLink } from './mqtt-link';

export interface OutMessage {
  topic: string;
  payload: string;
  retain: boolean;
  correlationData?: Buffer;
}

interface Item {
  msg: OutMessage;
  /** Set for durable messages: their entry in the disk queue. */
  entry?: QueueEntry;
}

export class OrderedPublisher {
  /** Waiting to be sent, oldest first (durable items stay here until acknowledged). */
  private readonly waiting: Item[] = [];
  private readonly inFlight = new Set<Item>();
  private pumping = false;
  /** Callbacks to run once a given item has been acknowledged (afterBacklog). */
  private marks: { item: Item; cb: () => void }[] = [];
  /** Current-state messages that could not be sent because the broker was away. */
  skipped = 0;
  /** Acknowledged by the broker. */
  acknowledged = 0;

  constructor(private readonly link: MqttLink, private readonly queue: DiskQueue, private readonly window = 32) {
    for (const e of queue.pending) this.waiting.push({ msg: { topic: e.topic, payload: e.payload, retain: e.retain }, entry: e });
    link.onUp(() => this.pump());
    link.onDown(() => this.requeue());
  }

  /** Queue a fault or status message; false if the on-disk queue is full (counted there as overflow). */
  durable(m: OutMessage): boolean {
    const entry = this.queue.push({ topic: m.topic, payload: m.payload, retain: m.retain });
    if (!entry) return false;
    this.waiting.push({ msg: m, entry });
    this.pump();
    return true;
  }

  /** Send a current-state message now if connected; false (and counted) if not. */
  current(m: OutMessage): boolean {
    if (!this.link.connected) {
      this.skipped++;
      return false;
    }
    this.waiting.push({ msg: m });
    this.pump();
    return true;
  }

  /** Messages not yet acknowledged (durable ones waiting on disk included). */
  get backlog(): number {
    return this.waiting.length + this.inFlight.size;
  }

  /**
   * Run `cb` once everything handed in so far has been acknowledged (at once if nothing
   * waits). Forgotten if the connection drops first (the next connection asks again).
   */
  afterBacklog(cb: () => void): void {
    const last = this.waiting.at(-1) ?? [...this.inFlight].at(-1);
    if (!last) cb();
    else this.marks.push({ item: last, cb });
  }

  /** Resolves when nothing waits or is in flight (or after `timeoutMs`). */
  async drained(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.backlog > 0) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.link.connected && this.inFlight.size < this.window && this.waiting.length > 0) {
        const item = this.waiting.shift()!;
        this.inFlight.add(item);
        this.link.publish(item.msg.topic, item.msg.payload, { qos: 1, retain: item.msg.retain, correlationData: item.msg.correlationData }).then(
          () => {
            if (!this.inFlight.delete(item)) return;
            this.acknowledged++;
            if (item.entry) this.queue.ack(item.entry.seq);
            // PUBACKs come in the order of the PUBLISHes (MQTT 4.6): this one's mark is due
            const due = this.marks.filter((m) => m.item === item);
            if (due.length) this.marks = this.marks.filter((m) => m.item !== item);
            for (const m of due) m.cb();
            this.pump();
          },
          () => { /* the connection dropped: requeue() put it back */ },
        );
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The connection dropped: durable messages in flight go back to the front, in their order. */
  private requeue(): void {
    this.marks = [];
    const back = [...this.inFlight].filter((i) => i.entry).sort((a, b) => a.entry!.seq - b.entry!.seq);
    this.skipped += this.inFlight.size - back.length;
    this.inFlight.clear();
    // current-state messages still waiting are stale once the broker is gone
    const keep = this.waiting.filter((i) => i.entry);
    this.skipped += this.waiting.length - keep.length;
    this.waiting.length = 0;
    this.waiting.push(...back, ...keep);
  }
}
