// PenClient.evaluate: EVAL packets to the pen's interpreter, answers matched by tag.
import { PenClient } from '@stipple/host-tools/link';
import { SimLink } from '@stipple/host-tools/sim/sim-link';
import { VirtualPen } from '@stipple/host-tools/sim/virtual-pen';

function setup(bundle?: string) {
  const pen = new VirtualPen({ seed: 1, bundle });
  const link = new SimLink(pen);
  const client = new PenClient(link.transport, { clock: link.clock, seq: 1 });
  pen.powerOn();
  return { pen, link, client };
}

test('values come back as E.toJS text, with or without a firmware running', async () => {
  for (const bundle of [undefined, '// bare']) {
    const { link, client } = setup(bundle);
    expect(await link.run(client.evaluate('6*7'))).toBe('42');
    expect(await link.run(client.evaluate('[1,"a",[2]]'))).toBe('[1,"a",[2]]');
    expect(await link.run(client.evaluate('undefined'))).toBe('undefined');
    await client.close();
  }
});

test('code that throws is NAKed; concurrent evaluations each get their own answer', async () => {
  const { link, client } = setup('// bare');
  await expect(link.run(client.evaluate('nothing.here'))).rejects.toMatchObject({ code: 'NAK' });
  const all = await link.run(Promise.all([client.evaluate('1'), client.evaluate('2'), client.evaluate('"x"')]));
  expect(all).toEqual(['1', '2', '"x"']);
});

test('a pen that never answers: TIMEOUT on the client clock; resetLink fails what is outstanding', async () => {
  const { pen, link, client } = setup('// bare');
  pen.board.console.setFaults({ lost: true });
  await expect(link.run(client.evaluate('1', 500))).rejects.toMatchObject({ code: 'TIMEOUT' });
  const p = client.evaluate('1', 5000);
  client.resetLink();
  await expect(p).rejects.toMatchObject({ code: 'LINK_CLOSED' });
});
