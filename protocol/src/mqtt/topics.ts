// The MQTT topic scheme, version 1:
//   <prefix>/v1/<serial>/<leaf>             a pen's topics (leaf: status, info, telemetry, …)
//   <prefix>/v1/<serial>/cmd/<name>         commands in; replies by default on …/cmd/<name>/reply
//   <prefix>/v1/_bridge/<bridge id>/status  each bridge (and its last will)
// <prefix> is "stipple" unless configured (one or more levels, for multi-tenant brokers).
// A serial or bridge id becomes one topic level: characters outside [A-Za-z0-9.-] are
// percent-encoded (so "/", "+", "#" and "_" never appear raw, and no pen is "_bridge").

export const MQTT_TOPIC_VERSION = 'v1';
export const DEFAULT_TOPIC_PREFIX = 'stipple';
/** The level under <prefix>/v1 that holds bridges rather than pens. */
export const BRIDGE_LEVEL = '_bridge';

/** One topic level for a serial or bridge id (reversible: decodeTopicLevel). */
export function encodeTopicLevel(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9.-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeTopicLevel(level: string): string {
  return decodeURIComponent(level);
}

/** Why a prefix is not usable, or '' if it is: non-empty levels, no wildcards, no leading $ or /. */
export function prefixProblem(prefix: string): string {
  if (prefix.length === 0 || prefix.length > 100) return 'must be 1 to 100 characters';
  if (/[+#\0]/.test(prefix)) return 'must not contain the wildcards + or # (or NUL)';
  if (prefix.startsWith('$')) return 'must not start with $ (reserved for the broker)';
  if (prefix.split('/').some((l) => l.length === 0)) return 'must not have empty levels (leading, trailing or double /)';
  return '';
}

export class TopicScheme {
  readonly root: string;

  constructor(readonly prefix: string = DEFAULT_TOPIC_PREFIX) {
    const why = prefixProblem(prefix);
    if (why) throw new RangeError(`topic prefix "${prefix}" ${why}`);
    this.root = `${prefix}/${MQTT_TOPIC_VERSION}`;
  }

  pen(serial: string, leaf: string): string {
    return `${this.root}/${encodeTopicLevel(serial)}/${leaf}`;
  }

  bridgeStatus(bridgeId: string): string {
    return `${this.root}/${BRIDGE_LEVEL}/${encodeTopicLevel(bridgeId)}/status`;
  }

  command(serial: string, name: string): string {
    return `${this.root}/${encodeTopicLevel(serial)}/cmd/${name}`;
  }

  /** Where a reply goes when the request names no reply topic. */
  defaultReply(serial: string, name: string): string {
    return `${this.command(serial, name)}/reply`;
  }

  /** What the bridge subscribes to for commands. */
  commandFilter(): string {
    return `${this.root}/+/cmd/+`;
  }

  /** Every topic of this scheme (for a subscriber). */
  all(): string {
    return `${this.root}/#`;
  }

  /** {serial, name} of a command topic, or undefined if `topic` is not one. */
  parseCommand(topic: string): { serial: string; name: string } | undefined {
    const head = `${this.root}/`;
    if (!topic.startsWith(head)) return undefined;
    const parts = topic.slice(head.length).split('/');
    if (parts.length !== 3 || parts[1] !== 'cmd' || parts[0] === BRIDGE_LEVEL) return undefined;
    try {
      return { serial: decodeTopicLevel(parts[0]!), name: parts[2]! };
    } catch {
      return undefined;
    }
  }

  /** {serial, leaf} of any pen topic (leaf may have levels: "telemetry/strokes", "cmd/info/reply"). */
  parsePen(topic: string): { serial: string; leaf: string } | undefined {
    const head = `${this.root}/`;
    if (!topic.startsWith(head)) return undefined;
    const rest = topic.slice(head.length);
    const k = rest.indexOf('/');
    if (k <= 0 || rest.slice(0, k) === BRIDGE_LEVEL) return undefined;
    try {
      return { serial: decodeTopicLevel(rest.slice(0, k)), leaf: rest.slice(k + 1) };
    } catch {
      return undefined;
    }
  }

  /**
   * Why the bridge must not publish a reply to `topic`, or '' if it may: no wildcards, and
   * inside this scheme only a …/cmd/<name>/reply topic, so that a request cannot make the
   * bridge write a pen's status, faults or telemetry.
   */
  replyTopicProblem(topic: string): string {
    if (topic.length === 0) return 'empty reply topic';
    if (/[+#\0]/.test(topic)) return 'a reply topic must not contain wildcards';
    if (topic.startsWith('$')) return 'a reply topic must not start with $';
    if (topic === this.prefix || topic.startsWith(`${this.prefix}/`)) {
      const parts = topic.split('/');
      const n = parts.length;
      const isReply = topic.startsWith(`${this.root}/`) && n >= 4 && parts[n - 1] === 'reply' && parts[n - 3] === 'cmd';
      if (!isReply) return `inside ${this.prefix}/ a reply topic must be …/cmd/<name>/reply`;
    }
    return '';
  }
}
