// Espruino console packet protocol (2v25+), host side: framing of packets to the pen,
// and a resynchronising parser for the console byte stream coming back, which mixes
// REPL text, ACK/NAK bytes and the pen's own packets.
//   packet = DLE SOH hi lo data ; (hi<<8|lo) = type (3 bits) | length (13 bits)
import { ACK, DLE, NAK, PACKET_MAX, PKT_DATA, PKT_EVENT, PKT_FILE_SEND, PKT_LEN_MASK, PKT_RESPONSE, PKT_TYPE_MASK, SOH } from './limits';

/** Frame `data` as one packet of `type` (PKT_EVENT, PKT_FILE_SEND, PKT_DATA…). */
export function encodePacket(type: number, data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === 'string' ? latin1(data) : data;
  if (bytes.length > PACKET_MAX) throw new RangeError(`packet data ${bytes.length} bytes > ${PACKET_MAX}`);
  const out = new Uint8Array(bytes.length + 4);
  const h = (type & PKT_TYPE_MASK) | bytes.length;
  out[0] = DLE; out[1] = SOH; out[2] = h >> 8; out[3] = h & 0xff;
  out.set(bytes, 4);
  return out;
}

/**
 * Espruino's console input checks for Ctrl-C (0x03) and, on the Linux build, Ctrl-D (0x04)
 * as bytes arrive, before the packet parser has taken them: a length whose low byte is
 * 3 or 4 interrupts or kills the interpreter (seen on 2v29). Hosts never send such lengths.
 */
export function unsafeLength(n: number): boolean {
  const low = n & 0xff;
  return low === 3 || low === 4;
}

/** An EVENT packet carrying a frame's JSON (raised on the pen as E.on('packet', json)), padded with JSON white space to avoid an unsafe length. */
export function encodeEventPacket(json: string): Uint8Array {
  while (unsafeLength(json.length)) json += ' ';
  return encodePacket(PKT_EVENT, json);
}

/** Bytes of an ASCII/latin-1 string (the protocol only sends ASCII). */
export function latin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new RangeError(`character ${c} is not latin-1`);
    b[i] = c;
  }
  return b;
}

/** Largest DATA chunk sent by encodeFileUpload (the pen writes each to Storage within the 2 s packet limit). */
export const FILE_CHUNK = 1024;

/**
 * Packets that upload a file into the pen's Storage: FILE_SEND {fn, s} then DATA chunks.
 * Send them one at a time, each after the previous one's ACK.
 */
export function encodeFileUpload(fn: string, data: Uint8Array | string, chunk: number = FILE_CHUNK): Uint8Array[] {
  const bytes = typeof data === 'string' ? latin1(data) : data;
  if (!(fn.length >= 1 && fn.length <= 28) || !/^[ -~]+$/.test(fn)) throw new RangeError(`bad Storage file name ${JSON.stringify(fn)}`);
  if (!(chunk >= 1 && chunk <= PACKET_MAX)) throw new RangeError('bad chunk size');
  const out = [encodePacket(PKT_FILE_SEND, JSON.stringify({ fn, s: bytes.length }))];
  for (let i = 0; i < bytes.length; ) {
    let n = Math.min(chunk, bytes.length - i);
    // never an unsafe length: shorten this chunk (the next one takes the rest)
    while (unsafeLength(n) && n > 5) n -= 2;
    // and leave no unsafe remainder for the last chunk
    const rest = bytes.length - i - n;
    if (rest > 0 && rest <= chunk && unsafeLength(rest) && n > 7) n -= 2;
    out.push(encodePacket(PKT_DATA, bytes.subarray(i, i + n)));
    i += n;
  }
  return out;
}

export type ConsoleItem =
  | { kind: 'packet'; type: number; json: string }
  | { kind: 'ack' }
  | { kind: 'nak' }
  | { kind: 'text'; text: string };

/**
 * Splits the pen's console stream into packets, ACK/NAK and REPL text. The pen's packets
 * are EVENT (or RESPONSE) packets whose data is JSON text; a control byte (< 0x20 or
 * 0x7F: DLE, CR, LF, ACK…) inside a packet means the packet was cut (pen reset, lost bytes): the parser
 * drops it and rescans from the byte after its DLE SOH, so the next packet is never lost.
 * A packet that stays incomplete for `staleMs` is dropped the same way (call `poll`).
 */
export class PacketParser {
  private buf: number[] = [];
  private text = '';
  private start = 0;
  constructor(private readonly emit: (item: ConsoleItem) => void, private readonly now: () => number = Date.now, private readonly staleMs = 500) {}

  /** Packets dropped as corrupt or truncated. */
  dropped = 0;

  push(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.byte(data[i]);
    this.flushText();
  }

  /** Drop a packet that has been incomplete for too long, so a lost tail cannot swallow later output. */
  poll(): void {
    if (this.buf.length > 0 && this.now() - this.start > this.staleMs) this.resync();
    this.flushText();
  }

  private byte(b: number): void {
    const buf = this.buf;
    if (buf.length === 0) {
      if (b === DLE) { this.flushText(); buf.push(b); this.start = this.now(); return; }
      if (b === ACK) { this.flushText(); this.emit({ kind: 'ack' }); return; }
      if (b === NAK) { this.flushText(); this.emit({ kind: 'nak' }); return; }
      this.text += String.fromCharCode(b);
      return;
    }
    buf.push(b);
    if (buf.length === 2) {
      if (b !== SOH) { // a lone DLE in text: keep it as text, rescan this byte
        buf.length = 0;
        this.text += String.fromCharCode(DLE);
        this.byte(b);
      }
      return;
    }
    if (buf.length < 4) return;
    const h = (buf[2] << 8) | buf[3];
    const type = h & PKT_TYPE_MASK;
    const len = h & PKT_LEN_MASK;
    if (buf.length === 4) {
      if ((type !== PKT_EVENT && type !== PKT_RESPONSE) || len === 0) { this.resync(); }
      return;
    }
    if (b < 0x20 || b === 0x7f) { this.resync(); return; }
    if (buf.length === 4 + len) {
      const json = String.fromCharCode.apply(null, buf.slice(4));
      buf.length = 0;
      this.emit({ kind: 'packet', type, json });
    }
  }

  /** Drop the current packet start and feed the bytes after its DLE SOH again. */
  private resync(): void {
    const rest = this.buf.slice(2);
    this.buf = [];
    this.dropped++;
    for (const b of rest) this.byte(b);
  }

  private flushText(): void {
    if (this.text && this.buf.length === 0) {
      const t = this.text;
      this.text = '';
      this.emit({ kind: 'text', text: t });
    }
  }
}
