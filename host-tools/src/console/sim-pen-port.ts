// `stipple console --sim`: a virtual pen in the server, paced to the wall clock (the page
// lives in real time, as a serial port's far end does), with its calibration rig and its
// handset. Console bytes pass through untouched, gathered per pacer tick; the rig speaks
// the protocol of `stipple sim --gauge-pty` (GaugeStream); the handset and fault
// injection are the simulator's own APIs, used as a trainer's hands would.
import type { FaultKind, PenHardware } from '../sim/physics/pen-hardware';
import { GaugeStream } from '../sim/pty/gauge-stream';
import { RealtimePacer } from '../sim/pty/realtime-pacer';
import { VirtualPen } from '../sim/virtual-pen';
import type { VirtualPenOptions } from '../sim/virtual-pen';
import { base64ToBytes } from './base64';
import type { ClientMessage, HandsetButton, HandsetStatus } from './console-messages';
import type { PenPort, PortClient } from './pen-port';

const BUTTON_PINS: Record<HandsetButton, 'BTN_RUN' | 'BTN_SPEED_UP' | 'BTN_SPEED_DOWN' | 'BTN_DEPTH_UP' | 'BTN_DEPTH_DOWN'> = {
  run: 'BTN_RUN', speedUp: 'BTN_SPEED_UP', speedDown: 'BTN_SPEED_DOWN', depthUp: 'BTN_DEPTH_UP', depthDown: 'BTN_DEPTH_DOWN',
};
/** The handset status is re-sent at least this often (the pen's time moves on), s. */
const STATUS_EVERY_S = 0.5;

export interface SimPenPortOptions extends VirtualPenOptions {
  /** Virtual seconds per wall second (default 1). */
  speed?: number;
  /** What the page shows as the variant ("bench" for the bench build). */
  variantName: string;
}

export class SimPenPort implements PenPort {
  readonly pen: VirtualPen;
  readonly pacer: RealtimePacer;
  private readonly rig: GaugeStream;
  private readonly hw: PenHardware;
  private client: PortClient | undefined;
  private penOut: Uint8Array[] = [];
  private rigOut = '';
  private readonly held = new Set<HandsetButton>();
  private pedal = false;
  private cartridge = true;
  private lastStatus = '';
  private lastStatusS = -Infinity;
  private failCbs: ((why: string) => void)[] = [];

  constructor(private readonly o: SimPenPortOptions) {
    this.pen = new VirtualPen(o);
    this.hw = this.pen.hardware;
    const hw = this.hw;
    this.pen.board.console.on('data', (b) => { if (this.client) this.penOut.push(Uint8Array.from(b)); });
    this.rig = new GaugeStream({
      read: () => hw.gauge.protrusionMm(), send: (l) => { if (this.client) this.rigOut += l; }, periodS: 0,
      strokes: (since) => hw.gauge.strokes(since), phantom: (p) => hw.conditions.setSkin(p),
    });
    this.pacer = new RealtimePacer(this.pen.board, {
      speed: o.speed,
      onTick: (now) => { this.rig.tick(now); this.flush(now); },
      onError: (e) => this.fail(`simulation stopped: ${e instanceof Error ? e.message : String(e)}`),
    });
    this.pen.powerOn();
    this.pacer.start();
  }

  hello() {
    return {
      mode: 'sim' as const, port: 'sim',
      sim: { serial: this.pen.serial, secret: this.pen.secret, variant: this.o.variantName, seed: this.o.seed, speed: this.o.speed ?? 1 },
    };
  }

  attach(client: PortClient | undefined): void {
    this.client = client;
    this.penOut = [];
    this.rigOut = '';
    this.lastStatus = '';
    if (!client) {
      // hands off the virtual pen: nobody is holding its buttons or pedal any more
      for (const b of this.held) this.hw.handset.release(BUTTON_PINS[b]);
      this.held.clear();
      if (this.pedal) this.hw.handset.pedalUp();
      this.pedal = false;
    }
  }

  handle(m: ClientMessage): void {
    const hs = this.hw.handset;
    switch (m.t) {
      case 'pen':
        this.pen.board.console.write(base64ToBytes(m.d));
        break;
      case 'gauge':
        this.rig.input(base64ToBytes(m.d));
        break;
      case 'button':
        if (m.action === 'press') hs.press(BUTTON_PINS[m.button], m.ms!);
        else if (m.action === 'down') { hs.hold(BUTTON_PINS[m.button]); this.held.add(m.button); }
        else { hs.release(BUTTON_PINS[m.button]); this.held.delete(m.button); }
        break;
      case 'pedal':
        if (m.down) hs.pedalDown();
        else hs.pedalUp();
        this.pedal = m.down;
        break;
      case 'cartridge':
        if (m.seated === this.cartridge) throw new Error(`the cartridge is already ${m.seated ? 'seated' : 'out'}`);
        if (m.seated) hs.insertCartridge();
        else hs.removeCartridge();
        this.cartridge = m.seated;
        break;
      case 'fault': {
        const active = this.hw.faults.active().includes(m.kind);
        if (m.on === active) throw new Error(`${m.kind} is ${active ? 'already injected' : 'not injected'}`);
        if (m.on) this.hw.faults.inject(m.kind as FaultKind);
        else this.hw.faults.clear(m.kind as FaultKind);
        if (m.kind === 'cartridgePulled') this.cartridge = !m.on;
        break;
      }
    }
    this.lastStatus = ''; // show the change at the next tick
  }

  onFailure(cb: (why: string) => void): void {
    this.failCbs.push(cb);
  }

  private fail(why: string): void {
    for (const f of this.failCbs) f(why);
  }

  /** Hand what the pen and the rig said during this tick to the page, and the handset when it changed. */
  private flush(nowS: number): void {
    const c = this.client;
    if (!c) return;
    if (this.penOut.length) {
      const chunks = this.penOut;
      this.penOut = [];
      c.pen(concat(chunks));
    }
    if (this.rigOut) {
      const s = this.rigOut;
      this.rigOut = '';
      c.gauge(Uint8Array.from({ length: s.length }, (_, i) => s.charCodeAt(i) & 255));
    }
    const led = this.hw.leds.current();
    const status: HandsetStatus = {
      t: 'handset', led: { r: clamp01(led.r), g: clamp01(led.g), b: clamp01(led.b) }, cartridge: this.cartridge, pedal: this.pedal,
      held: [...this.held], faults: this.hw.faults.active(), timeS: nowS,
    };
    const key = JSON.stringify({ ...status, timeS: 0 });
    if (key !== this.lastStatus || nowS - this.lastStatusS >= STATUS_EVERY_S) {
      this.lastStatus = key;
      this.lastStatusS = nowS;
      c.handset(status);
    }
  }

  async close(): Promise<void> {
    this.pacer.stop();
    this.client = undefined;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

function clamp01(v: number): number {
  return Math.max(0, Math.min(1, v));
}
