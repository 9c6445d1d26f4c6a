// `stipple flash` as a library on in-process virtual pens (virtual time: fast): both
// schemes, and every way an upload can fail leaves the pen recoverable over its REPL.
import { readFileSync } from 'node:fs';
import { PenClient } from '@stipple/host-tools/link';
import type { ByteTransport } from '@stipple/host-tools/link';
import { SimSession } from '@stipple/host-tools/cli/port/sim-session';
import { FlashError, flashFirmware } from '@stipple/host-tools/flash/flash-firmware';
import type { FlashOptions, FlashResult } from '@stipple/host-tools/flash/flash-firmware';
import { bundleFromBytes } from '@stipple/host-tools/flash/firmware-bundle';
import type { FirmwareBundle } from '@stipple/host-tools/flash/firmware-bundle';
import { fileCheck } from '@stipple/host-tools/flash/pen-storage';
import { SimLink } from '@stipple/host-tools/sim/sim-link';
import { FIRMWARE_BUNDLE, VirtualPen } from '@stipple/host-tools/sim/virtual-pen';
import type { VirtualPenOptions } from '@stipple/host-tools/sim/virtual-pen';

const DEVICE = readFileSync(FIRMWARE_BUNDLE, 'latin1');
const bundle = (text: string, file = 'test.js'): FirmwareBundle => bundleFromBytes(file, new Uint8Array(Buffer.from(text, 'latin1')));
/** The device bundle with another version string: proves the new firmware is the one running. */
const NEXT = bundle(DEVICE.replace(/\bfw:"([^"]+)"/, 'fw:"$1-next"'));
const nextFw = NEXT.fw!;

/** A virtual pen with its client on a transport of our choosing (not greeted). */
function session(o: Partial<VirtualPenOptions> = {}, wrap?: (t: ByteTransport) => ByteTransport): SimSession {
  const pen = new VirtualPen({ seed: 2, ...o });
  const link = new SimLink(pen);
  const client = new PenClient(wrap ? wrap(link.transport) : link.transport, { clock: link.clock, seq: 1 });
  pen.powerOn();
  return new SimSession(pen, link, client, undefined);
}

const flash = (s: SimSession, b: FirmwareBundle, o: FlashOptions = {}): Promise<FlashResult> => s.run(flashFirmware(s, b, o));
const failure = (s: SimSession, b: FirmwareBundle, o: FlashOptions = {}): Promise<FlashError> =>
  flash(s, b, o).then(() => { throw new Error('flash succeeded'); }, (e: unknown) => { expect(e).toBeInstanceOf(FlashError); return e as FlashError; });

test('Pico: direct scheme, the new firmware answers hello with its version and our fingerprint', async () => {
  const s = session();
  const phases: string[] = [];
  const r = await flash(s, NEXT, { onPhase: (p) => phases.push(p) });
  expect(r.scheme).toBe('direct');
  expect(r.previous).toMatchObject({ answered: true, fw: '0.1.0' });
  expect(r.info.fw).toBe(nextFw);
  expect(phases).toEqual(['probe', 'stop', 'upload', 'verify', 'boot', 'hello']);
  expect(s.pen.board.storage.read('.bootcde')).toBe(DEVICE.replace(/\bfw:"([^"]+)"/, 'fw:"$1-next"'));
  expect(s.pen.board.storage.list()).toEqual(['hw', '.bootcde']);
  // 115200 Bd: ~42 KB take ~3.7 s of link time
  expect(r.uploadMs).toBeGreaterThan(3000);
  expect(r.uploadMs).toBeLessThan(5000);
  expect(s.pen.board.uncaughtErrors).toEqual([]);
  await s.close();
});

test('big Storage (ESP32): staged scheme, one reboot, nothing left behind', async () => {
  const s = session({ board: 'ESP32' });
  const r = await flash(s, NEXT);
  expect(r.scheme).toBe('staged');
  expect(r.info.fw).toBe(nextFw);
  expect(s.pen.board.resets.map((x) => x.reason)).toEqual(['power-on', 'reboot']);
  expect(s.pen.board.storage.list()).toEqual(['hw', '.bootcde']);
  await s.close();
});

test('staged: an interrupted upload (Ctrl-C) erases the staged copy; the old firmware never stopped', async () => {
  const s = session({ board: 'ESP32' });
  const abort = new AbortController();
  const e = await failure(s, NEXT, { signal: abort.signal, onProgress: (sent) => { if (sent > 10000) abort.abort(); } });
  expect(e.phase).toBe('upload');
  expect(e.message).toMatch(/^upload interrupted \(upload of .fwnew stopped after \d+ of \d+ bytes\); the old firmware 0.1.0 is untouched/);
  expect(s.pen.board.storage.list()).toEqual(['hw', '.bootcde']);
  expect(s.pen.board.resets.map((x) => x.reason)).toEqual(['power-on']);
  expect((await s.run(s.client.connect())).fw).toBe('0.1.0');
  await s.close();
});

test('direct: power lost mid-upload; the cut bundle boots to a bare REPL, and flashing again recovers the pen', async () => {
  const s = session();
  s.pen.board.storage.failAfterBytes(20000);
  const e = await failure(s, NEXT);
  expect(e.phase).toBe('upload');
  expect(e.message).toMatch(/the pen has no firmware now and waits at a bare REPL .*run `stipple flash` again/);
  expect(s.pen.board.powered).toBe(false);
  // power back: the partial .bootcde is a syntax error, nothing runs, the drive stays off
  s.pen.board.storage.failAfterBytes(undefined);
  s.client.resetLink();
  s.pen.powerOn();
  await s.run(s.sleep(500));
  expect(s.pen.board.uncaughtErrors.at(-1)?.message).toMatch(/^SyntaxError/);
  expect(Math.abs(s.pen.hardware.drive.coilCurrentA())).toBeLessThan(1e-3);
  await expect(s.run(s.client.connect())).rejects.toMatchObject({ code: 'NAK' }); // no firmware listens
  expect(await s.run(s.client.evaluate('6*7'))).toBe('42'); // the REPL does
  const r = await flash(s, NEXT);
  expect(r.previous).toMatchObject({ answered: false });
  expect(r.info.fw).toBe(nextFw);
  await s.close();
});

test('direct: a byte corrupted on the way fails verification; the bad copy is erased, never booted', async () => {
  let dataPackets = 0;
  const corruptFifth = (t: ByteTransport): ByteTransport => ({
    write: (d) => {
      if (d[0] === 0x10 && d[1] === 0x01 && (d[2]! & 0xe0) === 0x80 && ++dataPackets === 5) {
        const c = d.slice();
        c[100] = c[100] === 0x41 ? 0x42 : 0x41;
        t.write(c);
      } else t.write(d);
    },
    onData: (cb) => t.onData(cb),
    close: () => t.close(),
  });
  const s = session({}, corruptFifth);
  const e = await failure(s, NEXT);
  expect(e.phase).toBe('verify');
  expect(e.message).toMatch(/^verification failed: the pen read back \d+ B, CRC \d+, expected \d+ B, CRC \d+; the pen has no firmware now/);
  expect(s.pen.board.storage.list()).toEqual(['hw']);
  // the next attempt is clean
  const r = await flash(s, NEXT);
  expect(r.info.fw).toBe(nextFw);
  expect(await s.run(fileCheck(s.client, '.bootcde'))).toEqual({ size: NEXT.bytes.length, crc: NEXT.crc });
  await s.close();
});

test('a bundle built from other schemas is refused before the pen is touched', async () => {
  const s = session();
  const e = await failure(s, bundle(DEVICE.replace(/\bfp:"[0-9a-f]{16}"/, 'fp:"0123456789abcdef"'), 'old.js'));
  expect(e.message).toMatch(/^old.js was built from other schemas \(fingerprint 0123456789abcdef, these host tools [0-9a-f]{16}\).*Nothing was changed$/);
  expect(s.pen.board.resets.map((x) => x.reason)).toEqual(['power-on']);
  await s.close();
});

test('a bundle that does not fit beside the pen\'s files is refused; nothing changes', async () => {
  const s = session();
  // a log file filling what the running firmware leaves free (the bundle's size moves with the code)
  const filler = s.pen.board.storage.getFree() - 64;
  expect(filler).toBeGreaterThan(2 * 1024); // more than the records' margin: the next bundle cannot fit beside it
  s.pen.board.storage.writeFile('log', 'x'.repeat(filler));
  const before = s.pen.board.storage.read('.bootcde');
  const e = await failure(s, NEXT);
  expect(e.message).toMatch(/needs \d+ B of Storage .* nothing was changed$/);
  expect(s.pen.board.storage.read('.bootcde')).toBe(before);
  await s.close();
});

test('a firmware that dies at boot: reported with what the pen printed; its REPL stays reachable', async () => {
  const s = session();
  const e = await failure(s, bundle('(function(){throw new Error("boom at boot")})();', 'bad.js'), { bootTimeoutMs: 2000 });
  expect(e.phase).toBe('hello');
  expect(e.message).toMatch(/did not answer hello within 2 s .*the pen printed "Uncaught Error: boom at boot"; its REPL stays reachable/);
  expect(await s.run(s.client.evaluate('1+1'))).toBe('2');
  const r = await flash(s, NEXT);
  expect(r.info.fw).toBe(nextFw);
  await s.close();
});
