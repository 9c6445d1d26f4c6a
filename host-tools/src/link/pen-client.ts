// PenClient: typed requests to a pen over any ByteTransport (serial port, virtual board).
// Every received message is checked (packet framing, envelope, CRC, zod); every failure
// is a PenError with a code. Idempotent requests are retried with a new seq after a
// timeout; any request is retried after a NAK (the interpreter refused the packet, so it
// did not run). While a host-driven run is active, heartbeats go out every
// HEARTBEAT_INTERVAL_MS.
import { createHmac } from 'node:crypto';
import {
  ERR_ID, EVENTS, F_IDEMPOTENT, HEARTBEAT_INTERVAL_MS, PKT_EVAL, PKT_RESPONSE, PROTOCOL_VERSION, REQUEST_FLAGS, SEQ_MAX,
  PacketParser, checkEvent, checkReply, decodeEnvelope, decodeTelemetry, encodeEventPacket, encodeFileUpload,
  encodeFrameJson, encodePacket, schemaFingerprint, unsafeLength,
} from '@stipple/protocol';
import type {
  Calibration, ConfigPatch, EventBody, EventId, ErrorBody, ErrorCode, Info, Preset, ReplyBody, RequestBody, RequestId,
  TelemetryRecord,
} from '@stipple/protocol';
import { realClock } from './clock';
import type { ClockTimer, HostClock } from './clock';
import { PenError } from './errors';
import type { ByteTransport } from './transport';

export interface PenClientOptions {
  /** Reply timeout for ordinary requests, ms (default 1000). */
  timeoutMs?: number;
  /** Retries after a timeout (idempotent requests) or a NAK (any request); default 2. */
  retries?: number;
  /** Name sent in hello. */
  hostName?: string;
  /** Heartbeat period while a run is active, ms (default HEARTBEAT_INTERVAL_MS). */
  heartbeatMs?: number;
  /** Timeouts, heartbeats and polls run on this clock (default: Node's timers; the simulator passes its virtual clock). */
  clock?: HostClock;
  /** First sequence number (default random); a fixed one makes simulated runs reproducible. */
  seq?: number;
}

export interface UploadOptions {
  /** Wait this long for each packet's ACK, ms (default 3000). */
  ackTimeoutMs?: number;
  /** Called after each ACKed packet with the file bytes sent so far. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** Stop between packets when aborted (rejects with LINK_CLOSED; the file stays incomplete). */
  signal?: AbortSignal;
}

export interface RequestOptions {
  timeoutMs?: number;
  retries?: number;
}

export type PenEvent =
  | { id: 'state'; seq: number; body: EventBody<'state'> }
  | { id: 'fault'; seq: number; body: EventBody<'fault'> }
  | { id: 'warn'; seq: number; body: EventBody<'warn'> }
  | { id: 'tlm'; seq: number; body: EventBody<'tlm'>; record: TelemetryRecord };

interface AckWaiter {
  resolve: () => void;
  reject: (e: PenError) => void;
}

interface EvalWaiter {
  resolve: (text: string) => void;
  reject: (e: PenError) => void;
}

interface Pending {
  id: RequestId;
  body: unknown;
  seq: number;
  tries: number;
  retries: number;
  timeoutMs: number;
  timer?: ClockTimer;
  resolve: (v: unknown) => void;
  reject: (e: PenError) => void;
}

export class PenClient {
  private readonly parser: PacketParser;
  private readonly pending = new Map<number, Pending>();
  /** Sent packets waiting for the interpreter's ACK/NAK, oldest first (seq 0: not a request). */
  private unacked: { seq: number; waiter?: AckWaiter }[] = [];
  private seq: number;
  private closed = false;
  private hbTimer: ClockTimer | undefined;
  private pollTimer: ClockTimer | undefined;
  private readonly clock: HostClock;
  private readonly eventCbs = new Set<(e: PenEvent) => void>();
  private readonly textCbs = new Set<(t: string) => void>();
  private readonly problemCbs = new Set<(e: PenError) => void>();
  /** EVAL packets waiting for their RESPONSE packet, by tag. */
  private readonly evalWaiters = new Map<number, EvalWaiter>();
  private evalTag = 0;
  private readonly timeoutMs: number;
  private readonly retries: number;
  /** The pen's hello reply, after connect(). */
  info: Info | undefined;
  /** Last event seq seen, to count lost events/telemetry records. */
  private lastEventSeq = 0;
  /** Events (incl. telemetry) whose seq jumped: lost on the link. */
  lostEvents = 0;

  constructor(private readonly transport: ByteTransport, private readonly opts: PenClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.retries = opts.retries ?? 2;
    this.clock = opts.clock ?? realClock;
    this.seq = opts.seq ?? 1 + Math.floor(Math.random() * 0x3fffffff);
    this.parser = new PacketParser((item) => {
      if (item.kind === 'packet') {
        if (item.type === PKT_RESPONSE) this.onEvalResponse(item.json);
        else this.onPacket(item.json);
      }
      else if (item.kind === 'ack') this.onAck(false);
      else if (item.kind === 'nak') this.onAck(true);
      else for (const cb of this.textCbs) cb(item.text);
    }, () => this.clock.now());
    transport.onData((d) => this.parser.push(d));
    this.pollTimer = this.clock.setInterval(() => this.parser.poll(), 250);
    this.pollTimer.unref?.();
  }

  // ---------------- subscriptions ----------------

  /** State, fault, warning and telemetry events. Returns an unsubscribe function. */
  onEvent(cb: (e: PenEvent) => void): () => void {
    this.eventCbs.add(cb);
    return () => this.eventCbs.delete(cb);
  }

  /** Decoded telemetry records. */
  onTelemetry(cb: (r: TelemetryRecord, seq: number) => void): () => void {
    return this.onEvent((e) => { if (e.id === 'tlm') cb(e.record, e.seq); });
  }

  /** REPL text from the pen's console (not part of a packet). */
  onText(cb: (t: string) => void): () => void {
    this.textCbs.add(cb);
    return () => this.textCbs.delete(cb);
  }

  /** Unsolicited problems: a corrupt or invalid message from the pen that matched no request. */
  onProblem(cb: (e: PenError) => void): () => void {
    this.problemCbs.add(cb);
    return () => this.problemCbs.delete(cb);
  }

  // ---------------- core ----------------

  /** Handshake: hello with this host's schema fingerprint; refuses a pen built from other schemas. */
  async connect(): Promise<Info> {
    const fp = schemaFingerprint();
    let info: Info;
    try {
      info = await this.request('hello', { pv: PROTOCOL_VERSION, fp, host: this.opts.hostName ?? 'stipple-host' });
    } catch (e) {
      if (e instanceof PenError && e.code === 'BAD_VERSION') {
        throw new PenError('SCHEMA_MISMATCH', `pen refused this host: ${e.message} (host protocol v${PROTOCOL_VERSION} fp ${fp})`, 'hello');
      }
      throw e;
    }
    if (info.fp !== fp || info.pv !== PROTOCOL_VERSION) {
      throw new PenError('SCHEMA_MISMATCH', `schema mismatch: host protocol v${PROTOCOL_VERSION} fp ${fp}, pen protocol v${info.pv} fp ${info.fp} (firmware ${info.fw}); update the host tools or the firmware`, 'hello');
    }
    this.info = info;
    return info;
  }

  /** Send a request and wait for its reply (validated with zod). */
  request<K extends RequestId>(id: K, body: RequestBody<K>, o: RequestOptions = {}): Promise<ReplyBody<K>> {
    if (this.closed) return Promise.reject(new PenError('LINK_CLOSED', 'link closed', id));
    return new Promise<ReplyBody<K>>((resolve, reject) => {
      const p: Pending = {
        id, body, seq: 0, tries: 0, retries: o.retries ?? this.retries, timeoutMs: o.timeoutMs ?? this.timeoutMs,
        resolve: resolve as (v: unknown) => void, reject,
      };
      this.transmit(p);
    });
  }

  private nextSeq(): number {
    this.seq = this.seq >= SEQ_MAX ? 1 : this.seq + 1;
    return this.seq;
  }

  private transmit(p: Pending): void {
    if (this.closed) { p.reject(new PenError('LINK_CLOSED', 'link closed', p.id)); return; }
    if (p.seq) this.pending.delete(p.seq);
    p.seq = this.nextSeq();
    p.tries++;
    let packet: Uint8Array;
    try {
      packet = encodeEventPacket(encodeFrameJson(p.id, p.seq, p.body));
    } catch (e) {
      p.reject(new PenError('BAD_FRAME', `cannot encode ${p.id}: ${(e as Error).message}`, p.id));
      return;
    }
    this.pending.set(p.seq, p);
    this.clock.clearTimeout(p.timer);
    p.timer = this.clock.setTimeout(() => this.onTimeout(p), p.timeoutMs);
    this.sendPacket(packet, p.seq);
  }

  private sendPacket(packet: Uint8Array, seq: number, waiter?: AckWaiter): void {
    this.unacked.push({ seq, waiter });
    if (this.unacked.length > 64) this.unacked.shift(); // a link that never ACKs
    this.transport.write(packet);
  }

  private onTimeout(p: Pending): void {
    if (this.pending.get(p.seq) !== p) return;
    const idempotent = (REQUEST_FLAGS[p.id] & F_IDEMPOTENT) !== 0;
    if (idempotent && p.tries <= p.retries) { this.transmit(p); return; }
    this.pending.delete(p.seq);
    p.reject(new PenError('TIMEOUT', `no reply to ${p.id} within ${p.timeoutMs} ms (${p.tries} tries)`, p.id));
  }

  private onAck(nak: boolean): void {
    const u = this.unacked.shift();
    if (!u) return;
    const w = u.waiter;
    if (w) { if (nak) w.reject(new PenError('NAK', 'packet refused by the pen')); else w.resolve(); }
    const seq = u.seq;
    if (!nak || !seq) return;
    const p = this.pending.get(seq);
    if (!p) return;
    if (p.tries <= p.retries) { this.transmit(p); return; } // a NAKed packet was not executed: safe to resend
    this.pending.delete(seq);
    this.clock.clearTimeout(p.timer);
    p.reject(new PenError('NAK', `pen refused the packet of ${p.id} (${p.tries} tries)`, p.id));
  }

  private problem(e: PenError): void {
    for (const cb of this.problemCbs) cb(e);
  }

  private onPacket(json: string): void {
    let obj: unknown;
    try {
      obj = JSON.parse(json);
    } catch {
      this.problem(new PenError('INVALID_REPLY', 'packet from the pen is not JSON'));
      return;
    }
    const d = decodeEnvelope(obj);
    if (!d.ok) {
      this.problem(new PenError('INVALID_REPLY', `bad frame from the pen (${d.code}): ${d.msg}`));
      return;
    }
    const { i, s } = d.env;
    if (Object.prototype.hasOwnProperty.call(EVENTS, i)) { this.onEventFrame(i as EventId, s, d.body); return; }
    const p = this.pending.get(s);
    if (!p || (i !== ERR_ID && i !== p.id)) {
      if (i === ERR_ID) {
        const b = d.body as Partial<ErrorBody>;
        this.problem(new PenError((b.code as ErrorCode) ?? 'INVALID_REPLY', `pen error for seq ${s}: ${b.msg}`, undefined, true));
      }
      return; // late reply to a retried request, or not ours
    }
    this.pending.delete(s);
    this.clock.clearTimeout(p.timer);
    const chk = checkReply(i, d.body);
    if (!chk.ok) { p.reject(new PenError('INVALID_REPLY', `invalid ${i} reply to ${p.id}: ${chk.msg}`, p.id)); return; }
    if (i === ERR_ID) {
      const b = chk.value as ErrorBody;
      p.reject(new PenError(b.code, `${p.id}: ${b.code}: ${b.msg}`, p.id, true));
      return;
    }
    p.resolve(chk.value);
  }

  private onEventFrame(id: EventId, seq: number, body: unknown): void {
    const chk = checkEvent(id, body);
    if (!chk.ok) { this.problem(new PenError('INVALID_REPLY', `invalid ${id} event: ${chk.msg}`)); return; }
    if (this.lastEventSeq && seq > this.lastEventSeq + 1) this.lostEvents += seq - this.lastEventSeq - 1;
    this.lastEventSeq = seq;
    let ev: PenEvent;
    if (id === 'tlm') {
      let record: TelemetryRecord;
      try {
        record = decodeTelemetry(chk.value as unknown[]);
      } catch (e) {
        this.problem(new PenError('INVALID_REPLY', `invalid telemetry record: ${(e as Error).message}`));
        return;
      }
      ev = { id, seq, body: chk.value as EventBody<'tlm'>, record };
    } else {
      ev = { id, seq, body: chk.value } as PenEvent;
      if (id === 'fault' || (id === 'state' && (chk.value as EventBody<'state'>).state !== 'RUNNING')) this.stopHeartbeat();
    }
    for (const cb of this.eventCbs) cb(ev);
  }

  /** Stop everything; pending requests fail with LINK_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopHeartbeat();
    this.clock.clearInterval(this.pollTimer);
    for (const p of this.pending.values()) {
      this.clock.clearTimeout(p.timer);
      p.reject(new PenError('LINK_CLOSED', `link closed before the reply to ${p.id}`, p.id));
    }
    this.pending.clear();
    for (const u of this.unacked) u.waiter?.reject(new PenError('LINK_CLOSED', 'link closed'));
    this.unacked = [];
    this.failEvals(new PenError('LINK_CLOSED', 'link closed before the interpreter answered'));
    await this.transport.close();
  }

  /**
   * The pen has just been reset (reboot, power cycle): nothing sent before will be ACKed
   * or answered any more. Fails what is outstanding with LINK_CLOSED and starts counting
   * ACKs afresh, so that the next request's ACK is not taken for an old packet's.
   */
  resetLink(): void {
    this.stopHeartbeat();
    for (const p of this.pending.values()) {
      this.clock.clearTimeout(p.timer);
      p.reject(new PenError('LINK_CLOSED', `the pen was reset before the reply to ${p.id}`, p.id));
    }
    this.pending.clear();
    for (const u of this.unacked) u.waiter?.reject(new PenError('LINK_CLOSED', 'the pen was reset'));
    this.unacked = [];
    this.failEvals(new PenError('LINK_CLOSED', 'the pen was reset before the interpreter answered'));
    this.lastEventSeq = 0;
    this.info = undefined;
  }

  // ---------------- heartbeat ----------------

  /** Heartbeats are being sent (a host-driven run is active). */
  get heartbeating(): boolean {
    return this.hbTimer !== undefined;
  }

  private startHeartbeat(): void {
    if (this.hbTimer) return;
    const beat = () => {
      if (this.closed) return;
      this.sendPacket(encodeEventPacket(encodeFrameJson('hb', this.nextSeq(), {})), 0);
    };
    beat();
    this.hbTimer = this.clock.setInterval(beat, this.opts.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
  }

  private stopHeartbeat(): void {
    this.clock.clearInterval(this.hbTimer);
    this.hbTimer = undefined;
  }

  // ---------------- typed requests ----------------

  status() { return this.request('status', {}); }
  getConfig() { return this.request('getConfig', {}); }
  setConfig(patch: ConfigPatch) { return this.request('setConfig', patch); }
  getPresets() { return this.request('getPresets', {}); }
  setPreset(index: number, preset: Preset) { return this.request('setPreset', { index, preset }); }
  deletePreset(index: number) { return this.request('deletePreset', { index }); }
  getLimits() { return this.request('getLimits', {}); }
  setLimit(needle: '1RL' | '3RL', maxDepth: number) { return this.request('setLimit', { needle, maxDepth }); }
  getCounters() { return this.request('getCounters', {}); }
  getFaults() { return this.request('getFaults', {}); }
  clearFaults() { return this.request('clearFaults', {}); }
  sensors() { return this.request('sensors', {}); }
  calRead() { return this.request('calRead', {}); }
  /** Write a calibration (flash, read back, previous kept), or with `trial` use it in RAM for SERVICE runs only. */
  calWrite(cal: Calibration, trial?: boolean) {
    return this.request('calWrite', trial ? { cal, trial: true } : { cal }, { timeoutMs: 3000 });
  }
  calRestore() { return this.request('calRestore', {}, { timeoutMs: 3000 }); }
  /**
   * Hold a drive level. The pen keeps holding only while heartbeats arrive (as in a run),
   * so they start with the reply and run until runStop, the next primitive, a fault or
   * leaving SERVICE.
   */
  async hold(duty: number, settleMs?: number): Promise<ReplyBody<'hold'>> {
    const r = await this.request('hold', settleMs === undefined ? { duty } : { duty, settleMs }, { timeoutMs: this.timeoutMs + (settleMs ?? 500) });
    this.startHeartbeat();
    return r;
  }
  sweep(duties: number[], dwellMs: number) {
    this.stopHeartbeat(); // the sweep ends any hold
    return this.request('sweep', { duties, dwellMs }, { timeoutMs: this.timeoutMs + duties.length * dwellMs * 1.2 });
  }
  /** One stroke of raw samples at rate/duty: the Hall sensor, or the coil current sense (`ch: 'current'`). */
  capture(rate: number, duty: number, n?: number, ch?: 'hall' | 'current') {
    this.stopHeartbeat(); // the capture ends any hold
    const body: RequestBody<'capture'> = n === undefined ? { rate, duty } : { rate, duty, n };
    if (ch) body.ch = ch;
    return this.request('capture', body, { timeoutMs: this.timeoutMs + 2000 });
  }

  /** SERVICE mode: challenge, then HMAC-SHA256(secret, nonce + "|" + serial). */
  async enterService(secret: string): Promise<void> {
    const serial = this.info?.serial ?? (await this.connect()).serial;
    const { nonce } = await this.request('svcChallenge', {});
    // the key's bytes as latin1, without Buffer: the web console bundles this client for the browser
    const mac = createHmac('sha256', Uint8Array.from({ length: secret.length }, (_, i) => secret.charCodeAt(i) & 255)).update(nonce + '|' + serial).digest('hex');
    await this.request('svcEnter', { mac });
  }

  async leaveService(): Promise<void> {
    this.stopHeartbeat();
    await this.request('svcLeave', {});
  }

  /** Start a host-driven run (SERVICE or bench build); heartbeats run until stopRun, a fault or a state change. */
  async startRun(run: RequestBody<'runStart'>): Promise<void> {
    this.startHeartbeat();
    try {
      await this.request('runStart', run);
    } catch (e) {
      this.stopHeartbeat();
      throw e;
    }
  }

  async stopRun(): Promise<void> {
    this.stopHeartbeat();
    await this.request('runStop', {});
  }

  /** Subscribe to telemetry; records arrive through onTelemetry/onEvent. */
  subscribeTelemetry(sub: RequestBody<'tlmSub'>) { return this.request('tlmSub', sub); }
  unsubscribeTelemetry() { return this.request('tlmUnsub', {}); }

  async reboot(): Promise<void> {
    this.stopHeartbeat();
    await this.request('reboot', {});
  }

  /**
   * Upload a file into the pen's Storage with FILE_SEND + DATA packets, each sent after
   * the previous one's ACK (e.g. the firmware bundle as '.bootcde'). `onProgress` sees
   * the bytes sent so far; `signal` stops between packets (the file is then incomplete).
   */
  async uploadFile(fn: string, data: Uint8Array | string, o: number | UploadOptions = {}): Promise<void> {
    const opts: UploadOptions = typeof o === 'number' ? { ackTimeoutMs: o } : o;
    const ackTimeoutMs = opts.ackTimeoutMs ?? 3000;
    const packets = encodeFileUpload(fn, data);
    const total = packets.slice(1).reduce((n, pk) => n + pk.length - 4, 0);
    let sent = 0;
    for (let k = 0; k < packets.length; k++) {
      const pk = packets[k]!;
      if (this.closed) throw new PenError('LINK_CLOSED', 'link closed during upload');
      if (opts.signal?.aborted) throw new PenError('LINK_CLOSED', `upload of ${fn} stopped after ${sent} of ${total} bytes`);
      await new Promise<void>((resolve, reject) => {
        const t = this.clock.setTimeout(() => {
          waiter.resolve = waiter.reject = () => undefined;
          reject(new PenError('TIMEOUT', `no ACK for ${fn} upload within ${ackTimeoutMs} ms`));
        }, ackTimeoutMs);
        const waiter: AckWaiter = { resolve: () => { this.clock.clearTimeout(t); resolve(); }, reject: (e: PenError) => { this.clock.clearTimeout(t); reject(e); } };
        this.sendPacket(pk, 0, waiter);
      });
      if (k > 0) sent += pk.length - 4;
      opts.onProgress?.(sent, total);
    }
  }

  // ---------------- the interpreter (EVAL packets) ----------------

  /**
   * Evaluate a JavaScript *expression* in the pen's interpreter with an EVAL packet and
   * return its value as `E.toJS` text (numbers and arrays of numbers parse as JSON).
   * Works whatever firmware runs, or none (a bare REPL): what `stipple flash` probes,
   * verifies and recovers with. Each expression is sent as `[tag,(expr)]` so that its
   * RESPONSE is matched by tag, never taken for another's (e.g. one from before a reset).
   * NAK when the code throws (the pen prints the error as REPL text).
   */
  evaluate(expr: string, timeoutMs = 2000): Promise<string> {
    if (this.closed) return Promise.reject(new PenError('LINK_CLOSED', 'link closed'));
    this.evalTag = this.evalTag >= 999999 ? 1 : this.evalTag + 1;
    const tag = this.evalTag;
    let code = `[${tag},(${expr})]`;
    while (unsafeLength(code.length)) code += ' ';
    const packet = encodePacket(PKT_EVAL, code);
    return new Promise<string>((resolve, reject) => {
      const finish = (e: PenError | undefined, text?: string): void => {
        if (this.evalWaiters.get(tag) !== w) return;
        this.evalWaiters.delete(tag);
        this.clock.clearTimeout(t);
        if (e) reject(e);
        else resolve(text!);
      };
      const w: EvalWaiter = { resolve: (text) => finish(undefined, text), reject: (e) => finish(e) };
      const t = this.clock.setTimeout(() => finish(new PenError('TIMEOUT', `the pen's interpreter did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.evalWaiters.set(tag, w);
      // a NAK means the code threw: no RESPONSE follows
      this.sendPacket(packet, 0, {
        resolve: () => undefined,
        reject: (e) => w.reject(e.code === 'NAK' ? new PenError('NAK', 'the pen\'s interpreter refused the code (it threw)') : e),
      });
    });
  }

  private onEvalResponse(text: string): void {
    const m = /^\[(\d+),([\s\S]*)\]$/.exec(text);
    if (!m) return; // not one of ours
    this.evalWaiters.get(Number(m[1]))?.resolve(m[2]!);
  }

  private failEvals(e: PenError): void {
    const ws = [...this.evalWaiters.values()];
    for (const w of ws) w.reject(e);
  }
}
