// `stipple flash` as a library on in-process virtual pens (virtual time: fast): both
// schemes, and every way an upload can fail leaves the pen recoverable over its REPL; a
// bundle of one drive goes only onto that drive's pen, and takes the place of stipple.js
// where that leaves no room for the records.
import { readFileSync } from 'node:fs';
import { PenClient } from '@stipple/host-tools/link';
import type { ByteTransport } from '@stipple/host-tools/link';
import { SimSession } from '@stipple/host-tools/cli/port/sim-session';
import { FlashError, flashFirmware } from '@stipple/host-tools/flash/flash-firmware';
import type { FlashOptions, FlashResult } from '@stipple/host-tools/flash/flash-firmware';
import { bundleFromBytes } from '@stipple/host-tools/flash/firmware-bundle';
import type { FirmwareBundle } from '@stipple/host-tools/flash/firmware-bundle';
import { fileCheck } from '@stipple/host-tools/flash/pen-storage';
import { fileCost, RECORD_MARGIN } from '@stipple/host-tools/flash/flash-plan';
import { SimLink } from '@stipple/host-tools/sim/sim-link';
import { FIRMWARE_BUNDLE, VirtualPen, variantBundle } from '@stipple/host-tools/sim/virtual-pen';
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

describe('bundles of one drive', () => {
  const VOICE_COIL = bundle(readFileSync(variantBundle('voiceCoil'), 'latin1'), 'stipple-voice-coil.js');
  const STEPPER = bundle(readFileSync(variantBundle('stepper'), 'latin1'), 'stipple-stepper.js');
  const variants = { voiceCoil: VOICE_COIL, stepper: STEPPER };

  test('the other drive\'s bundle is refused before the pen is touched', async () => {
    const s = session({ variant: 'stepper' });
    const before = s.pen.board.storage.read('.bootcde');
    const e = await failure(s, VOICE_COIL);
    expect(e.phase).toBe('probe');
    expect(e.message).toBe('stipple-voice-coil.js drives voiceCoil pens only, and this pen\'s identity says stepper: flash stipple-stepper.js or stipple.js; nothing was changed');
    expect(s.pen.board.storage.read('.bootcde')).toBe(before);
    expect(s.pen.board.resets.map((x) => x.reason)).toEqual(['power-on']);
    await s.close();
  });

  test('its own drive\'s bundle boots and says its drive in hello', async () => {
    const s = session({ variant: 'stepper' });
    const r = await flash(s, STEPPER);
    expect(r).toMatchObject({ file: 'stipple-stepper.js', drive: 'stepper' });
    expect(r.info).toMatchObject({ fw: '0.1.0+stepper', drive: 'stepper' });
    expect(s.pen.board.uncaughtErrors).toEqual([]);
    await s.close();
  });

  /** A Pico pen whose other files leave room for the voice-coil bundle and its records, but not for stipple.js and its records. */
  function crowded(): SimSession {
    const s = session();
    const st = s.pen.board.storage;
    const room = fileCost(NEXT.bytes.length) + RECORD_MARGIN - 64; // 64 B short for stipple.js
    expect(room).toBeGreaterThan(fileCost(VOICE_COIL.bytes.length) + RECORD_MARGIN);
    const others = st.getStats().totalBytes - room;
    st.writeFile('log', 'x'.repeat(others - fileCost(st.read('hw')!.length) - 32));
    return s;
  }

  test('stipple.js that leaves no room for the records gives way to the pen\'s own drive\'s bundle, saying so', async () => {
    const s = crowded();
    const notices: string[] = [];
    const r = await flash(s, NEXT, { variants, onNotice: (t) => notices.push(t) });
    expect(notices).toEqual([expect.stringMatching(/^test\.js \(both drives, \d+ B\) leaves no room for the pen's records \(.*\): flashing this voiceCoil pen's own bundle stipple-voice-coil\.js \(\d+ B\) instead$/)]);
    expect(r).toMatchObject({ file: 'stipple-voice-coil.js', drive: 'voiceCoil' });
    expect(r.info.fw).toBe('0.1.0+voiceCoil');
    expect(s.pen.board.storage.read('.bootcde')).toBe(Buffer.from(VOICE_COIL.bytes).toString('latin1'));
    await s.close();
  });

  test('without the variant bundles on offer, the refusal names the one that would fit', async () => {
    const s = crowded();
    const before = s.pen.board.storage.read('.bootcde');
    const e = await failure(s, NEXT);
    expect(e.message).toMatch(/^the bundle needs \d+ B of Storage plus 2048 B for the pen's records, .*: stipple-voice-coil\.js, the bundle of this pen's drive only \(voiceCoil\), is smaller; nothing was changed$/);
    expect(s.pen.board.storage.read('.bootcde')).toBe(before);
    await s.close();
  });

  test('preferVariant flashes the pen\'s own drive\'s bundle where stipple.js would fit too', async () => {
    const s = session({ board: 'ESP32', variant: 'stepper' });
    const notices: string[] = [];
    const r = await flash(s, NEXT, { variants, preferVariant: true, onNotice: (t) => notices.push(t) });
    expect(notices).toEqual([`this is a stepper pen: flashing its own bundle stipple-stepper.js (${STEPPER.bytes.length} B)`]);
    expect(r.info).toMatchObject({ fw: '0.1.0+stepper', drive: 'stepper' });
    await s.close();
  });
});
