// PenClient keeps a hold alive with heartbeats (the pen drops a hold without them), on the
// real firmware bundle on a virtual pen.
import { connectSimPen } from '@stipple/host-tools/sim/connect-sim-pen';

test('a hold lasts while the client heartbeats, and ends with runStop', async () => {
  const { pen, link, client, close } = await connectSimPen({ seed: 5 });
  try {
    await link.run(client.enterService(pen.secret));
    pen.hardware.conditions.setSkin('air');
    const h = await link.run(client.hold(0.3, 100));
    expect(h.settled).toBe(true);
    expect(client.heartbeating).toBe(true);
    const at = pen.hardware.gauge.protrusionMm();
    await link.advance(0.6); // four times the pen's heartbeat timeout
    expect(pen.hardware.gauge.protrusionMm()).toBeCloseTo(at, 2);
    const st = await link.run(client.status());
    expect(st.state).toBe('SERVICE');
    await link.run(client.stopRun());
    expect(client.heartbeating).toBe(false);
    await link.advance(0.1);
    expect(pen.hardware.gauge.protrusionMm()).toBeLessThan(at - 0.5); // released: springs retract the needle
    expect((await link.run(client.status())).state).toBe('SERVICE'); // no LINK_LOST
  } finally {
    await close();
  }
});
