// Golden request vectors (protocol/test/vectors/requests.json) through the pen's dispatcher.
// The host side runs the same vectors through zod (protocol/test/vectors.test.ts).
import vectors from '../../../protocol/test/vectors/requests.json';
import { checkReply } from '@stipple/protocol/envelope';
import { makeDispatcher, parsePacket, STATE_CHANGING } from './fake-pen';

type Vector = { name: string; frame: any; expect: string; pen?: string; call?: string };

describe('golden vectors through the firmware dispatcher', () => {
  for (const vec of (vectors as { vectors: Vector[] }).vectors) {
    test(vec.name, () => {
      const { d, pen, out } = makeDispatcher({ fp: vectors.fp, service: true });
      d.handleFrame(JSON.parse(JSON.stringify(vec.frame)));
      const want = vec.pen ?? vec.expect;
      const seq = vec.frame && typeof vec.frame === 'object' && Number.isInteger(vec.frame.s) && vec.frame.s >= 1 && vec.frame.s <= 0x7fffffff ? vec.frame.s : 0;
      if (want === 'ok') {
        if (vec.call) expect(pen.calls.map((c) => c.name)).toContain(vec.call);
        if (vec.frame.i === 'hb') { expect(out).toHaveLength(0); return; }
        expect(out).toHaveLength(1);
        const r = parsePacket(out[0]);
        expect(r.i).toBe(vec.frame.i);
        expect(r.s).toBe(seq);
        const chk = checkReply(r.i, r.body);
        expect(chk).toEqual(expect.objectContaining({ ok: true }));
      } else {
        expect(out).toHaveLength(1);
        const r = parsePacket(out[0]);
        expect(r.i).toBe('err');
        expect(r.body.code).toBe(want);
        expect(r.s).toBe(seq);
        expect(checkReply('err', r.body).ok).toBe(true);
        expect(pen.calls.filter((c) => STATE_CHANGING.includes(c.name))).toEqual([]);
      }
    });
  }
});
