// Where `stipple flash` puts a bundle, and what it reads from one (pure functions).
import { bundleFromBytes, bundleIdentity } from '@stipple/host-tools/flash/firmware-bundle';
import { CALIBRATED_PEN_FILES, fileCost, planFlash, RECORD_MARGIN } from '@stipple/host-tools/flash/flash-plan';
import type { StorageProbe } from '@stipple/host-tools/flash/flash-plan';

const BUNDLE = 41864;
const probe = (p: Partial<StorageProbe>): StorageProbe => ({
  totalBytes: 49152, fileBytes: fileCost(BUNDLE) + fileCost(91), freeBytes: 49152 - fileCost(BUNDLE) - fileCost(91), trashBytes: 0,
  bootSize: BUNDLE, stagedSize: -1, ...p,
});

test('file cost: 32-byte header, data padded to 4 bytes; none costs nothing', () => {
  expect(fileCost(-1)).toBe(0);
  expect(fileCost(1)).toBe(36);
  expect(fileCost(4)).toBe(36);
  expect(fileCost(5)).toBe(40);
});

test('a Pico (48 KB) holds one copy: direct', () => {
  const p = planFlash(probe({}), BUNDLE);
  expect(p.scheme).toBe('direct');
  expect(p.room).toBe(49152 - fileCost(91));
});

test('a big Storage holds the staged copy beside the old one: staged', () => {
  const total = 917504;
  expect(planFlash(probe({ totalBytes: total, freeBytes: total - fileCost(BUNDLE) - fileCost(91) }), BUNDLE).scheme).toBe('staged');
});

test('staged only when the free end of the log holds both new copies (no compaction under the running firmware)', () => {
  const justEnough = 2 * fileCost(BUNDLE) + RECORD_MARGIN;
  expect(planFlash(probe({ totalBytes: 200000, freeBytes: justEnough }), BUNDLE).scheme).toBe('staged');
  expect(planFlash(probe({ totalBytes: 200000, freeBytes: justEnough - 4 }), BUNDLE).scheme).toBe('direct');
});

test('too little room besides the other files: refused, with the figures', () => {
  const p = planFlash(probe({ fileBytes: fileCost(BUNDLE) + fileCost(91) + fileCost(6000), freeBytes: 1000 }), BUNDLE);
  expect(p.scheme).toBe('none');
  if (p.scheme === 'none') expect(p.why).toMatch(/needs 41896 B of Storage plus 2048 B .* has 42996 B besides its other files \(49152 B in all\)/);
});

test('a pen not calibrated yet keeps room for the records it will write: a bundle that fits a fresh MDBT42Q but not a calibrated one is refused', () => {
  const total = 40960;
  const fresh = (): StorageProbe => probe({ totalBytes: total, bootSize: -1, fileBytes: fileCost(91), freeBytes: total - fileCost(91) });
  const both = planFlash(fresh(), 38084); // stipple.js: 1,512 B left once calibrated, under the 2,048
  expect(both.scheme).toBe('none');
  if (both.scheme === 'none') expect(both.why).toMatch(new RegExp(`plus 2048 B for the pen's records and ${CALIBRATED_PEN_FILES - fileCost(91)} B for the records a calibrated pen keeps`));
  expect(planFlash(fresh(), 33326).scheme).toBe('direct'); // its own drive's bundle
  // a calibrated pen's records are already counted among its files: nothing more is kept
  const calibrated = probe({ totalBytes: total, bootSize: -1, fileBytes: 1340, freeBytes: total - 1340 });
  expect(planFlash(calibrated, 33326).room).toBe(total - 1340);
});

test('an old firmware and a stale staged copy count as room (both are replaced)', () => {
  const p = planFlash(probe({ stagedSize: 1000, fileBytes: fileCost(BUNDLE) + fileCost(91) + fileCost(1000), freeBytes: 0 }), BUNDLE);
  expect(p.scheme).toBe('direct');
});

test('bundle identity: the fw and fp literals the firmware passes to its link', () => {
  expect(bundleIdentity('x=new ut(t,Ct,{fw:"0.1.0",reset:1}),i=new Pt({write:g,fp:"bdbd3f6882041a9f",bench:!1})')).toEqual({ fw: '0.1.0', fp: 'bdbd3f6882041a9f' });
  expect(bundleIdentity('print("no firmware")')).toEqual({ fw: undefined, fp: undefined });
  const b = bundleFromBytes('x.js', new Uint8Array(Buffer.from('hello', 'latin1')));
  expect(b.crc).toBe(907060870); // E.CRC32("hello")
});
