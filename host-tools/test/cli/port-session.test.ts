// The shared --port handling: one PenSession over a serial port or a virtual pen, and the
// one-line reasons for a pen that cannot be talked to.
import { readFileSync } from 'node:fs';
import { schemaFingerprint } from '@stipple/protocol';
import { CliError } from '@stipple/host-tools/cli/output';
import { openPenSession } from '@stipple/host-tools/cli/port/open-pen-session';
import { SimSession } from '@stipple/host-tools/cli/port/sim-session';
import { flashFirmware } from '@stipple/host-tools/flash/flash-firmware';
import { loadBundle } from '@stipple/host-tools/flash/firmware-bundle';
import { PenClient } from '@stipple/host-tools/link';
import { SimLink } from '@stipple/host-tools/sim/sim-link';
import { FIRMWARE_BUNDLE, VirtualPen } from '@stipple/host-tools/sim/virtual-pen';

const OTHER_FP = '0123456789abcdef';

/** A virtual pen whose firmware was built from other schemas. */
function oldPen(): SimSession {
  const pen = new VirtualPen({ seed: 5, bundle: readFileSync(FIRMWARE_BUNDLE, 'latin1').replace(/\bfp:"[0-9a-f]{16}"/, `fp:"${OTHER_FP}"`) });
  const link = new SimLink(pen);
  pen.powerOn();
  return new SimSession(pen, link, new PenClient(link.transport, { clock: link.clock, seq: 1 }), undefined);
}

test('--port sim: a greeted virtual pen; run() nests; sleep is virtual', async () => {
  const s = await openPenSession({ port: 'sim', seed: '3', variant: 'stepper' });
  expect(s.kind).toBe('sim');
  expect(s.info).toMatchObject({ serial: 'SIM-S-000003', drive: 'stepper' });
  expect(s.secret).toMatch(/^[0-9a-f]{32}$/);
  const t0 = s.clock.now();
  const wall = Date.now();
  const st = await s.run((async () => { await s.run(s.sleep(5000)); return s.client.status(); })());
  expect(st.state).toBe('FAULT');
  expect(s.clock.now() - t0).toBeGreaterThanOrEqual(5000);
  expect(Date.now() - wall).toBeLessThan(3000);
  await s.close();
});

test('--port sim: each run() keeps its own virtual-time limit while another goes on', async () => {
  const s = await openPenSession({ port: 'sim', seed: '1', variant: 'voiceCoil' });
  const t0 = s.clock.now();
  const never = s.run(new Promise<void>(() => undefined), { limitS: 0.5 }).catch((e: Error) => e);
  const long = s.run(s.sleep(2000));
  expect(String(await never)).toMatch(/SimLinkTimeout: .*did not settle within 0.5 s of virtual time/);
  await long;
  expect(s.clock.now() - t0).toBeGreaterThanOrEqual(2000);
  await s.close();
});

test('--port sim paced for a person watching: virtual time follows the wall clock', async () => {
  const s = (await openPenSession({ port: 'sim', seed: '1', variant: 'voiceCoil' })) as SimSession;
  s.pace(2);
  const wall = Date.now();
  await s.run(s.sleep(1000));
  expect(Date.now() - wall).toBeGreaterThan(450); // 1 virtual s at 2x
  expect(Date.now() - wall).toBeLessThan(1500);
  await s.close();
});

test('a pen built from other schemas: one line naming both fingerprints and the cure', async () => {
  const s = oldPen();
  const e = await s.hello().catch((x: unknown) => x);
  expect(e).toBeInstanceOf(CliError);
  const msg = (e as Error).message;
  expect(msg.split('\n')).toHaveLength(1);
  expect(msg).toContain(OTHER_FP);
  expect(msg).toContain(schemaFingerprint());
  expect(msg).toMatch(/flash matching firmware with `stipple flash --port sim`/);
  await s.close();
});

test('…and flash is the cure: it carries on over the REPL and the pen then greets this host', async () => {
  const s = oldPen();
  const r = await s.run(flashFirmware(s, loadBundle(FIRMWARE_BUNDLE)));
  expect(r.previous).toMatchObject({ answered: false, why: expect.stringMatching(/BAD_VERSION/) });
  expect(r.info.fp).toBe(schemaFingerprint());
  expect((await s.hello()).fp).toBe(schemaFingerprint());
  await s.close();
});

test('options are checked before anything is opened', async () => {
  await expect(openPenSession({ port: 'sim', seed: '-1', variant: 'voiceCoil' })).rejects.toThrow(/--seed must be a non-negative integer/);
  await expect(openPenSession({ port: 'sim', seed: '1', variant: 'x' })).rejects.toThrow(/--variant must be one of/);
  await expect(openPenSession({ port: '/nonexistent/tty', seed: '1', variant: 'voiceCoil' })).rejects.toThrow(/^cannot open \/nonexistent\/tty: /);
  // --sim-own-drive where it cannot apply is refused, not ignored
  await expect(openPenSession({ port: 'sim', seed: '1', variant: 'bench', simOwnDrive: true })).rejects.toThrow(/^--sim-own-drive needs --variant voiceCoil or stepper/);
  await expect(openPenSession({ port: '/nonexistent/tty', seed: '1', variant: 'voiceCoil', simOwnDrive: true })).rejects.toThrow(/^--sim-own-drive is for --port sim/);
});
