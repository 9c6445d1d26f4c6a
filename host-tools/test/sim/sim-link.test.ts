// SimLink: host code and the virtual pen on one virtual timeline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FAULT_NAMES, schemaFingerprint } from '@stipple/protocol';
import { PenClient, PenError } from '@stipple/host-tools/link';
import { connectSimPen } from '@stipple/host-tools/sim/connect-sim-pen';
import { SimLink, SimLinkTimeout } from '@stipple/host-tools/sim/sim-link';
import { VirtualPen } from '@stipple/host-tools/sim/virtual-pen';

/** A pen whose console text is collected as the host receives it. */
function setup(bundle?: string) {
  const pen = new VirtualPen({ seed: 1, bundle });
  const link = new SimLink(pen);
  let text = '';
  link.transport.onData((d) => { text += Buffer.from(d).toString('latin1'); });
  pen.powerOn();
  return { pen, link, text: () => text, clear: () => { text = ''; } };
}

test('REPL round trip through the transport, in virtual time', async () => {
  const { link, text, clear } = setup();
  await link.advance(0.2);
  clear();
  const t0 = link.now;
  link.transport.write(Buffer.from('1+1\r'));
  await link.until(() => text().includes('=2'));
  expect(text()).toContain('1+1\r\n=2\r\n');
  // 4 bytes at 115200 Bd, then at most one 1 ms step before delivery
  expect(link.now - t0).toBeLessThan(0.0015);
});

test('host timers fire in virtual-time order, interleaved with the pen, at their exact instants', async () => {
  const { link, text } = setup('setInterval(function () { print("P" + Math.round(getTime() * 1000)); }, 30);');
  const log: string[] = [];
  const c = link.clock;
  const at = (tag: string) => () => log.push(`${tag}@${Math.round(c.now())}`);
  let seen = 0;
  link.transport.onData((d) => {
    for (const m of Buffer.from(d).toString('latin1').matchAll(/P(\d+)/g)) log.push(`pen${m[1]}@${Math.round(c.now())}`);
    seen += d.length;
  });
  c.setTimeout(at('t25'), 25);
  c.setTimeout(at('t10'), 10);
  const iv = c.setInterval(at('i20'), 20);
  c.setTimeout(() => { at('t50')(); c.clearInterval(iv); }, 50);
  const cancelled = c.setTimeout(at('never'), 45);
  c.clearTimeout(cancelled);
  await link.advance(0.1);
  expect(log).toEqual(['t10@10', 'i20@20', 't25@25', 'pen30@30', 'i20@40', 't50@50', 'pen60@60', 'pen90@90']);
  expect(seen).toBeGreaterThan(0);
  expect(text()).toBe(''); // the second onData replaced the first receiver (one receiver per transport)
  expect(c.pending).toBe(0);
});

test('PenClient timeouts run on virtual time: 3 tries of 1 s take 3 virtual seconds, far less wall time', async () => {
  const { pen, link } = setup();
  const client = new PenClient(link.transport, { clock: link.clock, seq: 1 });
  pen.board.console.setFaults({ lost: true });
  const t0 = link.now;
  const wall = Date.now();
  const e = await link.run(client.status()).catch((x) => x);
  expect(e).toBeInstanceOf(PenError);
  expect(e.code).toBe('TIMEOUT');
  expect(link.now - t0).toBeCloseTo(3, 6);
  expect(Date.now() - wall).toBeLessThan(3000);
  await client.close();
});

test('a host waiting for something the pen never sends gets a clear error, not a hang', async () => {
  const { link } = setup('// no firmware');
  const never = new Promise<void>(() => undefined);
  const e = await link.run(never, { limitS: 0.5 }).catch((x) => x);
  expect(e).toBeInstanceOf(SimLinkTimeout);
  expect(e.message).toMatch(/did not settle within 0.5 s of virtual time/);
  expect(link.now).toBeCloseTo(0.5, 9);
  await expect(link.until(() => false, { limitS: 0.1 })).rejects.toThrow(/condition did not become true/);
});

test('run/until/advance refuse to overlap', async () => {
  const { link } = setup('// no firmware');
  const a = link.advance(0.05);
  await expect(link.advance(0.05)).rejects.toThrow(/already in progress/);
  await a;
});

describe('PenClient over the sim link (connectSimPen)', () => {
  const BENCH = readFileSync(path.join(__dirname, '../../../firmware/dist/stipple-bench.js'), 'latin1');

  test('hello: the pen answers with its identity and this host\'s schema fingerprint, in virtual milliseconds', async () => {
    const { pen, link, client, info, close } = await connectSimPen({ seed: 2 });
    try {
      expect(info).toMatchObject({ serial: pen.serial, fp: schemaFingerprint(), drive: 'voiceCoil', board: 'PICO' });
      expect(link.now).toBeLessThan(0.1);
      expect((await link.run(client.status())).uptimeMs).toBeGreaterThanOrEqual(0);
    } finally {
      await close();
    }
  });

  test('heartbeats go out every 50 ms of virtual time and keep a host-driven run alive', async () => {
    const { link, client, close } = await connectSimPen({ seed: 4, bundle: BENCH });
    try {
      const beats: number[] = [];
      const write = link.transport.write.bind(link.transport);
      link.transport.write = (d: Uint8Array) => {
        if (Buffer.from(d).toString('latin1').includes('"i":"hb"')) beats.push(link.now);
        write(d);
      };
      await link.run(client.startRun({ depth: 1.0, rate: 100, maxS: 60 }));
      await link.advance(3);
      const st = await link.run(client.status());
      expect([st.state, st.running]).toEqual(['RUNNING', true]);
      expect(beats.length).toBeGreaterThanOrEqual(60);
      const gaps = beats.slice(1).map((t, i) => t - beats[i]!);
      for (const g of gaps) expect(g).toBeCloseTo(0.05, 9);
      await link.run(client.stopRun());
      expect((await link.run(client.status())).running).toBe(false);
    } finally {
      await close();
    }
  });

  test('runStart openLoop: the drive stays at its feed-forward level; closed loop, it corrects', async () => {
    // the bench model has a skin the feed-forward does not know, so only the loop moves the drive
    const duties = async (openLoop: boolean): Promise<number[]> => {
      const { link, client, close } = await connectSimPen({ seed: 4, bundle: BENCH });
      try {
        const seen: number[] = [];
        client.onTelemetry((r) => { if (r.duty !== undefined) seen.push(r.duty); });
        await link.run(client.subscribeTelemetry({ every: 12 }));
        await link.run(client.startRun({ depth: 1.0, rate: 100, maxS: 60, openLoop }));
        await link.advance(2);
        await link.run(client.stopRun());
        return seen;
      } finally {
        await close();
      }
    };
    const open = await duties(true);
    const closed = await duties(false);
    expect(open.length).toBeGreaterThan(5);
    expect(closed.length).toBeGreaterThan(5);
    expect(new Set(open.slice(1)).size).toBe(1);
    expect(new Set(closed.slice(1)).size).toBeGreaterThan(1);
  });

  test('heartbeats slower than the pen\'s 200 ms timeout: the pen stops the run (LINK_LOST)', async () => {
    const { link, client, close } = await connectSimPen({ seed: 4, bundle: BENCH, client: { heartbeatMs: 300 } });
    try {
      const faults: number[] = [];
      client.onEvent((e) => { if (e.id === 'fault') faults.push(e.body.code); });
      await link.run(client.startRun({ depth: 1.0, rate: 100, maxS: 60 }));
      await link.until(() => faults.length > 0, { limitS: 1 });
      expect(FAULT_NAMES[faults[0]!]).toBe('LINK_LOST');
    } finally {
      await close();
    }
  });
});
