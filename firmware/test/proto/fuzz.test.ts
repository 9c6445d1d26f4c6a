// Fuzz: 120,000 random and mutated frames through the dispatcher with a recording fake
// PenApi. Never a throw; never a state-changing call for a frame the host-side check
// (zod) rejects; a reply to every frame except a valid heartbeat; every reply framed,
// CRC-valid and schema-valid; and the pen's error code agrees with the host's check.
import vectors from '../../../protocol/test/vectors/requests.json';
import { checkRequestFrame, checkReply, encodeFrameJson } from '@stipple/protocol/envelope';
import { crc32 } from '@stipple/protocol/crc32';
import { makeDispatcher, parsePacket, STATE_CHANGING } from './fake-pen';

const FRAMES = 120000;
/** Errors the pen may give for a frame the stateless host check accepts (they depend on pen state). */
const STATEFUL = ['DUPLICATE', 'NEEDS_SERVICE', 'AUTH_FAILED', 'BAD_VERSION', 'BUSY'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

test(`fuzz: ${FRAMES} frames`, () => {
  const rnd = rng(20250301);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const valid = (vectors.vectors as { frame: any }[]).map((v) => v.frame).filter((f) => f && typeof f === 'object' && !Array.isArray(f));
  const pool: unknown[] = [null, true, 0, -1, 1.5, 1e300, '', 'x', [], {}, [1, 2], { a: 1 }, 2147483647, 2147483648, 'hello', '{}', '\u0000', -0];
  const mutateValue = (v: unknown): unknown => {
    if (rnd() < 0.5 || v === null || typeof v !== 'object') return pick(pool);
    if (Array.isArray(v)) { const a = v.slice(); if (a.length && rnd() < 0.5) a[Math.floor(rnd() * a.length)] = mutateValue(a[0]); else a.push(pick(pool)); return a; }
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const r = rnd();
    if (r < 0.3 && keys.length) delete o[pick(keys)];
    else if (r < 0.4) o[pick(['x', 'extra', 'toString'])] = pick(pool);
    else if (keys.length) { const k = pick(keys); o[k] = mutateValue(o[k]); }
    return o;
  };
  const makeFrame = (): unknown => {
    const base = JSON.parse(JSON.stringify(pick(valid)));
    base.s = 1 + Math.floor(rnd() * 50); // small range: duplicates happen
    const r = rnd();
    if (r < 0.15) return base; // valid (or stateful error)
    if (r < 0.45) { // body-level mutation, CRC fixed up so it reaches the validators
      let body: unknown;
      try { body = JSON.parse(base.b); } catch { body = {}; }
      return JSON.parse(encodeFrameJson(rnd() < 0.1 ? pick(Object.keys({ status: 1, fly: 1, hb: 1, hello: 1 })) : base.i, base.s, mutateValue(body)));
    }
    if (r < 0.65) { // envelope-level mutation
      const k = pick(['v', 'i', 's', 'b', 'c', 'x']);
      if (rnd() < 0.3) delete base[k]; else base[k] = k === 'b' && typeof base.b === 'string' && rnd() < 0.5 ? base.b.slice(0, Math.floor(rnd() * base.b.length)) : pick(pool);
      if (k === 'b' && rnd() < 0.5 && typeof base.b === 'string') base.c = crc32(base.b);
      return base;
    }
    if (r < 0.9) { // byte-level mutation of the frame text; unparseable text arrives as a string
      const t = JSON.stringify(base).split('');
      const n = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < n; k++) {
        const p = Math.floor(rnd() * t.length);
        const m = rnd();
        if (m < 0.4) t[p] = String.fromCharCode(32 + Math.floor(rnd() * 95));
        else if (m < 0.7) t.splice(p, 1);
        else t.splice(p, 0, String.fromCharCode(32 + Math.floor(rnd() * 95)));
      }
      const text = t.join('');
      try { return JSON.parse(text); } catch { return text; }
    }
    return mutateValue(pick(pool.concat([base])));
  };

  let env = makeDispatcher({ fp: vectors.fp, service: true });
  const counts: Record<string, number> = {};
  for (let n = 0; n < FRAMES; n++) {
    if (n % 500 === 0) env = makeDispatcher({ fp: vectors.fp, service: rnd() < 0.5, bench: rnd() < 0.2 });
    const { d, pen, out } = env;
    const f = makeFrame();
    const host = checkRequestFrame(f);
    const before = out.length;
    const calls = pen.calls.length;
    expect(() => d.handleFrame(f)).not.toThrow();
    const written = out.slice(before);
    const newCalls = pen.calls.slice(calls).map((c) => c.name);
    const ctx = () => JSON.stringify(f);
    if (!host.ok && newCalls.some((c) => STATE_CHANGING.includes(c))) throw new Error(`state-changing call ${newCalls} for invalid frame ${ctx()}`);
    if (host.ok && host.id === 'hb' && written.length === 0) { counts.hb = (counts.hb ?? 0) + 1; continue; }
    if (written.length !== 1) throw new Error(`${written.length} replies to ${ctx()}`);
    const r = parsePacket(written[0]);
    const code = r.i === 'err' ? r.body.code : 'ok';
    counts[code] = (counts[code] ?? 0) + 1;
    if (!checkReply(r.i, r.body).ok) throw new Error(`invalid reply ${JSON.stringify(r)} to ${ctx()}`);
    if (host.ok) {
      if (code !== 'ok' && !STATEFUL.includes(code)) throw new Error(`pen ${code}, host ok for ${ctx()}`);
      if (code === 'ok' && r.i !== host.id) throw new Error(`reply id ${r.i} to ${host.id}`);
    } else if (code !== host.code && !(code === 'DUPLICATE' || code === 'BAD_VERSION')) {
      throw new Error(`pen ${code}, host ${host.code} for ${ctx()}`);
    }
    if (r.s !== host.seq) throw new Error(`reply seq ${r.s}, expected ${host.seq} for ${ctx()}`);
  }
  // the fuzz must exercise every kind of answer
  for (const c of ['ok', 'BAD_FRAME', 'BAD_CRC', 'BAD_VERSION', 'UNKNOWN_MESSAGE', 'BAD_FIELD', 'OUT_OF_RANGE', 'DUPLICATE', 'NEEDS_SERVICE']) {
    expect([c, counts[c] ?? 0]).toEqual([c, expect.any(Number)]);
    expect(counts[c]).toBeGreaterThan(20);
  }
});
