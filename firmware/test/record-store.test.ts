import { RecordStore } from '../src/store/record-store';
import { crc32 } from '@stipple/protocol';
import { MemoryFlash } from './support/fake-io';

describe('RecordStore', () => {
  it('saves and loads the newest record', () => {
    const flash = new MemoryFlash();
    const store = new RecordStore(flash, crc32);
    expect(store.load('cal', 1).status).toBe('missing');
    store.save('cal', 1, { a: 1 });
    store.save('cal', 1, { a: 2 });
    store.save('cal', 1, { a: 3 });
    expect(store.load('cal', 1)).toEqual({ status: 'ok', data: { a: 3 }, seq: 3 });
    expect(store.loadPrevious('cal', 1).data).toEqual({ a: 2 });
  });

  it('reports corrupt when every copy fails its CRC, and ignores a wrong version', () => {
    const flash = new MemoryFlash();
    const store = new RecordStore(flash, crc32);
    store.save('cal', 1, { a: 1 });
    flash.files['cal.a'] = flash.files['cal.a'].replace('"a\\":1', '"a\\":9');
    expect(store.load('cal', 1).status).toBe('corrupt');
    store.save('cnt', 1, { n: 1 });
    expect(store.load('cnt', 2).status).toBe('corrupt');
  });

  it('a power cut at any byte of a write leaves the previous valid record', () => {
    const base = new MemoryFlash();
    const store0 = new RecordStore(base, crc32);
    store0.save('cal', 1, { gain: 1.5, note: 'first' });
    store0.save('cal', 1, { gain: 1.6, note: 'second' });
    const next = JSON.stringify({ gain: 1.7, note: 'third' });
    const frameLen = JSON.stringify({ v: 1, n: 3, c: 0, d: next }).length + 12;
    for (let cut = 0; cut < frameLen; cut++) {
      const flash = new MemoryFlash();
      flash.files = { ...base.files };
      flash.failAfterBytes = cut;
      const store = new RecordStore(flash, crc32);
      store.save('cal', 1, { gain: 1.7, note: 'third' });
      const got = store.load('cal', 1);
      expect(got.status).toBe('ok');
      expect(['second', 'third']).toContain(got.data.note);
    }
  });
});
