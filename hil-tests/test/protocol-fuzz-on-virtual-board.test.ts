// Fuzz: 100,000 random and mutated frames into the real firmware bundle on the virtual
// board, through the console's packet protocol, as a host would send them. The pen must
// never crash (no uncaught error, no reset), never move the needle, and answer every
// packet the interpreter accepted (ACK) with exactly one reply or typed error, except a
// valid heartbeat (the only message without a reply).
import { VirtualPen } from '@stipple/host-tools/sim/virtual-pen';
import {
  PacketParser, REQUEST_IDS, crc32, encodeEventPacket, encodeFrameJson, checkRequestFrame, EVENT_IDS,
  schemaFingerprint, PROTOCOL_VERSION,
} from '@stipple/protocol';

const FRAMES = 100_000;
const BATCH = 250;

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ['depth', 'rate', 'duty', 'duties', 'dwellMs', 'index', 'preset', 'needle', 'maxDepth', 'mac', 'every', 'fields',
  'perStroke', 'cal', 'trial', 'pv', 'fp', 'maxS', 'n', 'settleMs', 'pedal', 'name', 'x'];

describe('protocol fuzz on the virtual board', () => {
  it(`survives ${FRAMES} random and mutated frames: no crash, no motion, a reply to every accepted packet`, () => {
    const r = rng(20261121);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
    const value = (depth: number): unknown => {
      const k = r();
      if (k < 0.25) return Math.round((r() * 4 - 1) * 1000) / 1000;
      if (k < 0.4) return Math.floor(r() * 300) - 50;
      if (k < 0.5) return r() < 0.5;
      if (k < 0.65) return pick(['1RL', '3RL', 'hold', 'toggle', 'x'.repeat(Math.floor(r() * 50)), '', 'depthUm']);
      if (k < 0.75) return null;
      if (k < 0.88 && depth < 2) return Array.from({ length: Math.floor(r() * 5) }, () => value(depth + 1));
      if (depth < 2) return body(depth + 1);
      return 0;
    };
    const body = (depth = 0): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) o[pick(FIELDS)] = value(depth);
      return o;
    };
    // never reboot the pen (a valid reboot is not a crash, but would end the run)
    const ids = REQUEST_IDS.filter((i) => i !== 'reboot' && i !== 'hb');
    let seq = 1;
    const validFrame = (): string => {
      const id = pick(ids);
      const b = id === 'hello' && r() < 0.5 ? { pv: PROTOCOL_VERSION, fp: schemaFingerprint() } : body();
      return encodeFrameJson(id, r() < 0.02 ? seq : ++seq, b, r() < 0.03 ? 2 : PROTOCOL_VERSION);
    };
    const mutate = (s: string): string => {
      const a = s.split('');
      const m = 1 + Math.floor(r() * 3);
      for (let k = 0; k < m; k++) {
        const at = Math.floor(r() * a.length);
        const op = r();
        if (op < 0.4) a[at] = String.fromCharCode(32 + Math.floor(r() * 95));
        else if (op < 0.7) a.splice(at, 1);
        else a.splice(at, 0, pick(['"', '{', '}', ',', ':', '0', '9', '\\', ' ', 'e']));
      }
      return a.join('');
    };
    const garbage = (): string => Array.from({ length: 1 + Math.floor(r() * 120) }, () => String.fromCharCode(32 + Math.floor(r() * 95))).join('');
    const frame = (): string => {
      const k = r();
      if (k < 0.4) return validFrame();
      if (k < 0.75) return mutate(validFrame());
      if (k < 0.85) {
        const b = JSON.stringify(body());
        return JSON.stringify({ v: 1, i: pick(ids), s: ++seq, b, c: crc32(b) ^ (r() < 0.5 ? 1 : 0), x: r() < 0.5 ? 1 : undefined });
      }
      if (k < 0.92) return JSON.stringify(value(0));
      return garbage();
    };

    const pen = new VirtualPen({ seed: 5 });
    let acks = 0;
    let naks = 0;
    let replies = 0;
    let events = 0;
    const parser = new PacketParser((it) => {
      if (it.kind === 'ack') acks++;
      else if (it.kind === 'nak') naks++;
      else if (it.kind === 'packet') {
        const f = JSON.parse(it.json) as { i: string };
        if (EVENT_IDS.includes(f.i)) events++;
        else replies++;
      }
    }, () => pen.board.now * 1000);
    pen.board.console.on('data', (d: Uint8Array) => parser.push(d));
    pen.powerOn();
    pen.runFor(0.5);
    const startEvents = events;

    let heartbeats = 0;
    for (let sent = 0; sent < FRAMES; sent += BATCH) {
      let bytes = 0;
      for (let k = 0; k < BATCH; k++) {
        const f = frame();
        try {
          const c = checkRequestFrame(JSON.parse(f));
          if (c.ok && c.id === 'hb') heartbeats++;
        } catch { /* not JSON: NAKed or answered BAD_FRAME */ }
        const p = encodeEventPacket(f);
        bytes += p.length;
        pen.board.console.write(p);
      }
      // the UART's byte time, plus the pen's processing
      pen.runFor((bytes * 10) / 115200 + 0.2);
      expect(pen.hardware.gauge.protrusionMm()).toBeLessThan(0);
    }
    pen.runFor(1);
    parser.poll();

    expect(pen.board.uncaughtErrors).toEqual([]);
    expect(pen.board.resets.filter((x) => x.reason !== 'power-on')).toEqual([]);
    expect(acks + naks).toBe(FRAMES);
    // most frames reach the firmware (the rest are not JSON objects: the interpreter NAKs them)
    expect(acks).toBeGreaterThan(FRAMES * 0.5);
    expect(replies).toBe(acks - heartbeats);
    expect(pen.hardware.gauge.strokes().length).toBe(0);
    // events only from legitimate state changes (e.g. a fuzzed but valid setConfig does not move anything)
    expect(events - startEvents).toBeLessThan(50);
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${FRAMES} frames, ${acks} ACKed, ${naks} NAKed, ${replies} replies, ${heartbeats} valid heartbeats, ${pen.board.now.toFixed(1)} s virtual`);
  });
});
