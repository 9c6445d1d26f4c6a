// A test ByteTransport: a pen made of the firmware dispatcher and the fake PenApi behind
// a minimal model of Espruino's packet handling (EVENT packet -> ACK, E.on('packet')),
// with knobs to drop, NAK, corrupt or delay traffic and to mix in REPL text.
import { Dispatcher } from '@stipple/firmware/proto/dispatcher';
import { crc32, latin1, schemaFingerprint } from '@stipple/protocol';
import type { ByteTransport } from '@stipple/host-tools/link/transport';
import { FakePen } from '../../../firmware/test/proto/fake-pen';

export class LoopbackPen implements ByteTransport {
  readonly pen = new FakePen();
  readonly dispatcher: Dispatcher;
  private cb: ((d: Uint8Array) => void) | undefined;
  private inbuf: number[] = [];
  /** Frames the pen received (JSON-parsed). */
  readonly frames: any[] = [];
  /** Return true to drop the next incoming packet silently (no ACK, as if lost). */
  drop: (frame: any) => boolean = () => false;
  /** Return true to NAK the next incoming packet (not executed). */
  nak: (frame: any) => boolean = () => false;
  /** Transform outgoing text (e.g. corrupt it). */
  mangle: (s: string) => string = (s) => s;
  /** REPL text written before each reply. */
  chatter = '';
  files: Record<string, number[]> = {};
  private upload: { fn: string; left: number } | undefined;
  closed = false;

  constructor(fp: string = schemaFingerprint(), bench = true) {
    this.dispatcher = new Dispatcher({
      api: this.pen, crc32: (s) => crc32(s), fp, bench, now: () => Date.now(), random: () => (Math.random() * 2 ** 32) | 0,
      write: (s) => this.emit(this.chatter + this.mangle(s)),
    });
  }

  emit(s: string): void {
    const b = latin1(s);
    setImmediate(() => { if (!this.closed) this.cb?.(b); });
  }

  write(data: Uint8Array): void {
    for (const b of data) this.inbuf.push(b);
    for (;;) {
      const i = this.inbuf.findIndex((b, k) => b === 0x10 && this.inbuf[k + 1] === 0x01);
      if (i < 0 || this.inbuf.length < i + 4) return;
      const h = (this.inbuf[i + 2] << 8) | this.inbuf[i + 3];
      const len = h & 0x1fff;
      if (this.inbuf.length < i + 4 + len) return;
      const data = this.inbuf.slice(i + 4, i + 4 + len);
      this.inbuf = this.inbuf.slice(i + 4 + len);
      this.packet(h & 0xe000, data);
    }
  }

  private packet(type: number, data: number[]): void {
    const text = String.fromCharCode(...data);
    if (type === 0x6000) { const o = JSON.parse(text); this.upload = { fn: o.fn, left: o.s }; this.files[o.fn] = []; this.emit('\x06'); return; }
    if (type === 0x8000 && this.upload) { this.files[this.upload.fn].push(...data); this.upload.left -= data.length; if (this.upload.left <= 0) this.upload = undefined; this.emit('\x06'); return; }
    let f: any;
    try { f = JSON.parse(text); } catch { this.emit('\x15'); return; }
    if (this.drop(f)) return;
    if (this.nak(f)) { this.emit('\x15'); return; }
    this.frames.push(f);
    this.emit('\x06');
    this.dispatcher.handleFrame(f);
  }

  onData(cb: (d: Uint8Array) => void): void { this.cb = cb; }
  async close(): Promise<void> { this.closed = true; }
}
