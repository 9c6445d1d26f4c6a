// Golden request vectors through the host-side codec and zod (the pen runs the same
// vectors in firmware/test/proto/vectors.test.ts).
import vectors from './vectors/requests.json';
import { checkRequestFrame } from '../src/envelope';

describe('golden vectors through zod and the host codec', () => {
  for (const v of vectors.vectors as { name: string; frame: unknown; expect: string }[]) {
    test(v.name, () => {
      const r = checkRequestFrame(v.frame);
      expect(r.ok ? 'ok' : r.code).toBe(v.expect);
    });
  }
});
