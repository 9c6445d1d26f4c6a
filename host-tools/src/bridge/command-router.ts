// Commands arriving on …/<serial>/cmd/<name>: where the reply goes (MQTT 5 response topic
// and correlation data; on 3.1.1 `replyTo`/`correlation` in the body; else
// …/cmd/<name>/reply), whether the command is on the allow-list (refused with NOT_ALLOWED
// before anything else if not), whether the body is well formed, and the typed reply.
import { CORRELATION_MAX, CommandRequest, MQTT_PAYLOAD_VERSION } from '@stipple/protocol';
import type { CommandErrorCode, CommandReply, TopicScheme } from '@stipple/protocol';
import type { IPublishPacket } from 'mqtt';
import type { BridgeLog } from './bridge-log';
import type { Outbox } from './outbox';
import { CommandBusy, PenOffline } from './pen-agent';
import type { PenAgent } from './pen-agent';
import { isBridgeCommand, REFUSAL } from './pen-commands';

export interface CommandStats {
  answered: number;
  refused: number;
  failed: number;
}

export class CommandRouter {
  readonly stats: CommandStats = { answered: 0, refused: 0, failed: 0 };

  constructor(
    private readonly topics: TopicScheme,
    private readonly outbox: Outbox,
    private readonly agentFor: (serial: string) => PenAgent | undefined,
    private readonly log: BridgeLog,
    private readonly now: () => number,
  ) {}

  /** A message on a command topic. Commands for pens this bridge does not serve are left to their bridge. */
  handle(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const cmd = this.topics.parseCommand(topic);
    if (!cmd) return;
    const agent = this.agentFor(cmd.serial);
    if (!agent) return;
    const { serial, name } = cmd;
    if (packet.retain) {
      // a retained command would run again at every reconnect: never act on one
      this.log('warn', 'command-ignored', `ignored a retained command ${topic} (publish commands without retain)`, { serial, command: name });
      return;
    }
    const text = payload.toString('utf8').trim();
    let body: unknown = {};
    let bodyProblem = '';
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        bodyProblem = 'the request body is not JSON';
      }
    }
    const parsed = CommandRequest.safeParse(body);
    if (!bodyProblem && !parsed.success) bodyProblem = `bad request body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`;
    const loose = (typeof body === 'object' && body !== null ? body : {}) as { replyTo?: unknown; correlation?: unknown };
    const props = packet.properties;
    const correlationData = props?.correlationData;
    const correlation = correlationData
      ? correlationData.toString('utf8').slice(0, CORRELATION_MAX)
      : typeof loose.correlation === 'string' ? loose.correlation.slice(0, CORRELATION_MAX) : null;
    const fallback = this.topics.defaultReply(serial, name);
    let replyTo = props?.responseTopic ?? (typeof loose.replyTo === 'string' ? loose.replyTo : fallback);
    const problem = this.topics.replyTopicProblem(replyTo);
    if (problem) {
      replyTo = fallback;
      bodyProblem = `refused reply topic: ${problem}`;
    }
    const base = { v: MQTT_PAYLOAD_VERSION, serial, correlation } as const;
    const fail = (code: CommandErrorCode, msg: string): void => {
      if (code === 'NOT_ALLOWED') this.stats.refused++;
      else this.stats.failed++;
      this.outbox.reply(replyTo, { ...base, ts: this.now(), command: name.slice(0, 200), ok: false, error: { code, msg: msg.slice(0, 300) } }, correlationData);
    };
    if (!isBridgeCommand(name)) {
      this.log('warn', 'command-refused', `refused command "${name.slice(0, 60)}" for ${serial}: not on the allow-list`, { serial, command: name.slice(0, 60) });
      fail('NOT_ALLOWED', `"${name.slice(0, 60)}" is refused: ${REFUSAL}`);
      return;
    }
    if (bodyProblem) {
      fail('BAD_REQUEST', bodyProblem);
      return;
    }
    agent.command(name).then(
      (result) => {
        this.stats.answered++;
        this.outbox.reply(replyTo, { ...base, ts: this.now(), command: name, ok: true, result } as CommandReply, correlationData);
      },
      (e: unknown) => {
        if (e instanceof PenOffline) fail('PEN_OFFLINE', e.message);
        else if (e instanceof CommandBusy) fail('BUSY', e.message);
        else fail('PEN_ERROR', `the pen could not answer: ${(e as Error).message.split('\n')[0]}`);
      },
    );
  }
}
