// A pen the page is connected to, over any ByteTransport (the console server's WebSocket,
// or Web Serial / Web Bluetooth through @espruino-tools): the same PenClient as the CLI,
// the same `stipple info` read-out, telemetry subscribed, and the state and sensors polled
// once a second while nothing else (a calibration) owns the pen.
import type { Info, ReplyBody, TelemetryRecord } from '@stipple/protocol';
import { readPenInfo } from '../../src/cli/info/read-pen-info';
import type { PenInfo } from '../../src/cli/info/read-pen-info';
import { PenClient } from '../../src/link/pen-client';
import type { PenEvent } from '../../src/link/pen-client';
import { PenError } from '../../src/link/errors';
import type { ByteTransport } from '../../src/link/transport';

/** Strokes per telemetry record: the finest the pen allows (every stroke's depth is still sent). */
const TLM_EVERY = 10;
const POLL_MS = 1000;

export interface PenListener {
  info(i: PenInfo): void;
  status(s: ReplyBody<'status'>): void;
  sensors(s: ReplyBody<'sensors'>): void;
  telemetry(r: TelemetryRecord): void;
  event(e: PenEvent): void;
  /** Something went wrong that changed nothing: a malformed message, a refused request. */
  problem(text: string): void;
}

export class ConnectedPen {
  readonly client: PenClient;
  info: Info | undefined;
  private timer: number | undefined;
  private paused = false;
  private polling = false;
  private refreshing: Promise<void> | undefined;
  private closed = false;

  constructor(readonly transport: ByteTransport, readonly label: string, private readonly l: PenListener) {
    this.client = new PenClient(transport, { hostName: 'stipple-console' });
    this.client.onProblem((e) => l.problem(`ignored a bad message from the pen: ${e.message}`));
    this.client.onEvent((e) => {
      l.event(e);
      if (e.id === 'tlm') l.telemetry(e.record);
      else if (!this.paused) void this.refresh(); // a state change or a fault: read what changed
    });
  }

  /** hello, then the whole read-out, telemetry and polling. */
  async open(): Promise<Info> {
    this.info = await this.client.connect();
    await this.refresh();
    await this.subscribe();
    this.timer = window.setInterval(() => void this.poll(), POLL_MS);
    return this.info;
  }

  async subscribe(): Promise<void> {
    await this.client.subscribeTelemetry({ every: TLM_EVERY, perStroke: true });
  }

  /** Identity, state, counters, faults and calibration, as `stipple info` reads them. */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          this.l.info(await readPenInfo(this.client, this.info!, this.label));
        } catch (e) {
          if (!this.closed) this.l.problem(`could not read the pen: ${(e as Error).message}`);
        } finally {
          this.refreshing = undefined;
        }
      })();
    }
    return this.refreshing;
  }

  /** Stop polling while something else drives the pen (a calibration), and carry on after. */
  pause(on: boolean): void {
    this.paused = on;
  }

  private async poll(): Promise<void> {
    if (this.paused || this.polling || this.closed) return;
    this.polling = true;
    try {
      this.l.status(await this.client.status());
      this.l.sensors(await this.client.sensors());
    } catch (e) {
      if (!this.closed && !(e instanceof PenError && e.code === 'LINK_CLOSED')) this.l.problem(`poll: ${(e as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    window.clearInterval(this.timer);
    await this.client.close();
  }
}
