import { FlashStorage } from '../../../src/sim/board';
import { makeBoard } from './helpers';

describe('Storage (flash model)', () => {
  test('Pico storage is 3 x 16 KB; profiles size it', () => {
    const { board } = makeBoard('');
    expect(board.storage.size).toBe(48 * 1024);
    expect(board.evaluate('require("Storage").getFree()')).toBe(48 * 1024);
    expect(makeBoard('', { profile: 'ESP32' }).board.storage.size).toBe(896 * 1024);
  });

  test('journaling: a rewrite appends and leaves the old copy as trash; compact reclaims it', () => {
    const { board } = makeBoard('');
    board.evaluate(`var S = require("Storage"); S.writeJSON("cfg", { depth: 1.2 }); S.writeJSON("cfg", { depth: 1.4 });`);
    expect(board.evaluate('S.readJSON("cfg").depth')).toBe(1.4);
    const st = board.evaluate('S.getStats()') as { fileCount: number; trashCount: number; freeBytes: number };
    expect(st.fileCount).toBe(1);
    expect(st.trashCount).toBe(1);
    board.evaluate('S.compact()');
    const st2 = board.evaluate('S.getStats()') as { fileCount: number; trashCount: number; freeBytes: number };
    expect(st2.trashCount).toBe(0);
    expect(st2.freeBytes).toBeGreaterThan(st.freeBytes);
    expect(board.evaluate('S.readJSON("cfg").depth')).toBe(1.4);
  });

  test('API: read/list/erase/readArrayBuffer/write in parts/errors', () => {
    const { board } = makeBoard('');
    board.evaluate(`var S = require("Storage"); S.write("a.txt", "hello"); S.write("b.json", "{}"); S.write("log", "abc", 0, 6); S.write("log", "def", 3);`);
    expect(board.evaluate('S.list().join()')).toBe('a.txt,b.json,log');
    expect(board.evaluate('S.list(/\\.json$/).join()')).toBe('b.json');
    expect(board.evaluate('S.read("log")')).toBe('abcdef');
    expect(board.evaluate('S.read("a.txt", 1, 3)')).toBe('ell');
    expect(board.evaluate('S.read("nope")')).toBeUndefined();
    expect(board.evaluate('S.readJSON("nope")')).toBeUndefined();
    expect(board.evaluate('Array.prototype.slice.call(new Uint8Array(S.readArrayBuffer("a.txt"))).join()')).toBe('104,101,108,108,111');
    expect(() => board.evaluate('S.write("log", "x", 3)')).toThrow('File already written with different data');
    expect(() => board.evaluate('S.write("log", "toolong", 3)')).toThrow('Too much data for file size');
    expect(() => board.evaluate('S.write("new", "x", 3)')).toThrow('Unable to find or create file');
    board.evaluate('S.write("bad", "{oops")');
    expect(board.evaluate('S.readJSON("bad", true)')).toBeUndefined();
    expect(() => board.evaluate('S.readJSON("bad")')).toThrow();
    board.evaluate('S.erase("a.txt")');
    expect(board.evaluate('S.list().join()')).toBe('b.json,log,bad');
    expect(board.evaluate('S.write("a.txt", "same")')).toBe(true);
    const before = board.storage.bytesWritten;
    board.evaluate('S.write("a.txt", "same")'); // identical content: nothing written
    expect(board.storage.bytesWritten).toBe(before);
  });

  test('Storage survives reset and power cycles, RAM does not', () => {
    const { board } = makeBoard('var S = require("Storage"); var boots = (S.readJSON("boots", true) || 0) + 1; S.writeJSON("boots", boots);');
    board.reset();
    board.powerOff();
    board.runFor(1);
    board.powerOn();
    expect(board.evaluate('boots')).toBe(3);
  });

  test('filling the flash: a write that does not fit fails; trash is compacted automatically', () => {
    const { board } = makeBoard('');
    board.evaluate('var S = require("Storage"); var blk = new Uint8Array(10000);');
    for (let i = 0; i < 4; i++) board.evaluate(`S.write("f${i}", blk)`);
    expect(() => board.evaluate('S.write("f4", blk)')).toThrow('Unable to find or create file');
    board.evaluate('S.erase("f0"); S.erase("f1");');
    board.evaluate('S.write("f5", blk)'); // needs the trash back: compacts
    expect(board.evaluate('S.list().join()')).toBe('f2,f3,f5');
    expect(board.storage.pageErases).toBeGreaterThan(0);
  });

  test('power loss while writing a NEW file leaves the previous valid file (write-new-then-erase-old pattern)', () => {
    const { board } = makeBoard('');
    board.evaluate('var S = require("Storage"); S.writeJSON("cfg.1", { v: 1, pad: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" });');
    board.storage.failAfterBytes(40); // header (32 B) and 8 bytes of data
    board.evaluate('S.writeJSON("cfg.2", { v: 2, pad: "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy" }); S.erase("cfg.1");');
    expect(board.powered).toBe(false);
    expect(board.resets.at(-1)!.reason).toBe('power-loss');
    board.storage.failAfterBytes(undefined);
    board.powerOn();
    board.evaluate('var S = require("Storage");');
    expect(board.evaluate('S.readJSON("cfg.1").v')).toBe(1);
    // the interrupted file has a valid header: its unwritten tail reads as erased flash
    expect(board.evaluate('S.read("cfg.2").slice(0, 8)')).toBe('{"v":2,"');
    expect(board.evaluate('S.read("cfg.2").charCodeAt(8)')).toBe(0xff);
    expect(board.evaluate('S.readJSON("cfg.2", true)')).toBeUndefined();
  });

  test('power loss mid-header: the incomplete file is ignored, the previous one stays', () => {
    const flash = new FlashStorage(16 * 1024, 3);
    flash.writeFile('cfg', '{"v":1}');
    flash.failAfterBytes(2); // not even the size word
    expect(() => flash.writeFile('cfg2', '{"v":2}')).toThrow('power lost');
    flash.failAfterBytes(undefined);
    expect(flash.list()).toEqual(['cfg']);
    expect(flash.read('cfg')).toBe('{"v":1}');
    // and writing continues after it
    flash.writeFile('cfg3', 'x');
    expect(flash.list()).toEqual(['cfg', 'cfg3']);
  });

  test('rewriting the SAME name is not atomic on Espruino: power lost after the old copy is marked trash loses it', () => {
    const flash = new FlashStorage(16 * 1024, 3);
    flash.writeFile('cfg', '{"v":1}');
    flash.failAfterBytes(0); // nothing more can be written: the old copy survives
    expect(() => flash.writeFile('cfg', '{"v":2}')).toThrow('power lost');
    flash.failAfterBytes(undefined);
    expect(flash.read('cfg')).toBe('{"v":1}');
    flash.failAfterBytes(4); // the trash marker, then power is gone before the new header
    expect(() => flash.writeFile('cfg', '{"v":2}')).toThrow('power lost');
    flash.failAfterBytes(undefined);
    expect(flash.read('cfg')).toBeUndefined();
  });
});
