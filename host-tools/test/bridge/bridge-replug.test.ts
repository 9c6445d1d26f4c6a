// A pen on a serial port (a virtual pen served on a PTY by socat, as `stipple sim --pty`
// does) unplugged and plugged back in: the bridge says offline, answers commands for it
// with PEN_OFFLINE, and picks it up again by itself when the port comes back, with a new
// birth; the other pens carry on.
jest.mock('aedes', () => require('./aedes-cjs').loadAedesCjs());
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simPenOptions } from '../../src/cli/port/sim-pen-options';
import { SerialPenPort } from '../../src/bridge/pen-port';
import { SimPenPort } from '../../src/bridge/sim/sim-pen-port';
import { SimPtyServer } from '../../src/sim/pty/pty-server';
import { haveSocat } from '../cli/cli-harness';
import { startBridge } from './bridge-harness';
import { AedesBroker } from './test-brokers';
import { Watcher } from './watcher';

const maybe = haveSocat ? test : test.skip;
if (!haveSocat) test('socat is not installed: the replug test is skipped (apt-get install socat)', () => undefined);

maybe('a pen unplugged and plugged back in is offline meanwhile, then picked up again without a restart', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stipple-replug-'));
  const pty = path.join(dir, 'pen');
  const serial = 'SIM-V-000041';
  const broker = await AedesBroker.start();
  const w = await Watcher.connect(broker.url);
  let server = await SimPtyServer.start({ ...simPenOptions(41, 'bench'), ptyPath: pty });
  const tb = startBridge(broker.url, [new SerialPenPort(pty), new SimPenPort({ seed: 42, variant: 'bench', speed: 2, activity: 'none' })]);
  try {
    const statuses = () => w.of('status', serial).map((m) => m.payload);
    await w.waitFor(() => statuses().some((p) => p.status === 'online'), 20000, 'the PTY pen online');
    expect(w.of('info', serial)[0]!.payload).toMatchObject({ port: pty, drive: 'bench' });
    expect(await w.command(serial, 'counters', 'body')).toMatchObject({ ok: true });

    await server.close(); // unplugged
    await w.waitFor(() => statuses().at(-1)?.status === 'offline', 10000, 'the pen offline');
    expect(statuses().at(-1)).toMatchObject({ status: 'offline', session: 1, reason: expect.stringMatching(/closed|stopped answering/) });
    expect(await w.command(serial, 'info', 'body')).toMatchObject({ ok: false, error: { code: 'PEN_OFFLINE' } });
    expect(tb.bridge.stats()).toMatchObject({ pensOnline: 1, ports: 2 });

    server = await SimPtyServer.start({ ...simPenOptions(41, 'bench'), ptyPath: pty }); // plugged back in
    await w.waitFor(() => statuses().filter((p) => p.status === 'online').length >= 2, 20000, 'the pen online again');
    expect(statuses().map((p) => `${p.status}:${p.session}`)).toEqual(['birth:1', 'online:1', 'offline:1', 'birth:2', 'online:2']);
    expect(await w.command(serial, 'info', 'body')).toMatchObject({ ok: true, result: { info: { serial } } });
    expect(w.of('status', 'SIM-V-000042').map((m) => m.payload.status)).toEqual(['birth', 'online']);
    expect(w.invalid).toEqual([]);
  } finally {
    await tb.close();
    await server.close();
    await w.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pen that stops answering while its port stays open goes offline', async () => {
  const broker = await AedesBroker.start();
  const w = await Watcher.connect(broker.url);
  const pen = new SimPenPort({ seed: 43, variant: 'bench', speed: 50, activity: 'none' });
  const tb = startBridge(broker.url, [pen]);
  try {
    const statuses = () => w.of('status', 'SIM-V-000043').map((m) => m.payload);
    await w.waitFor(() => statuses().some((p) => p.status === 'online'), 20000, 'the pen online');
    pen.session!.pen.board.console.setFaults({ lost: true }); // the link goes dead, the "port" stays open
    await w.waitFor(() => statuses().at(-1)?.status === 'offline', 20000, 'the pen offline');
    expect(statuses().at(-1)!.reason).toMatch(/stopped answering \(3 reads in a row failed\)/);
    await w.waitFor(() => w.of('bridgeStatus').at(-1)?.payload.pens.length === 0, 5000, 'the bridge status without the pen');
  } finally {
    await tb.close();
    await w.close();
    await broker.stop();
  }
});
