// Packet lengths whose low byte is 0x03/0x04 read as Ctrl-C/Ctrl-D on Espruino's console.
import { encodeEventPacket, encodeFileUpload, unsafeLength } from '../src/packet';

describe('packet lengths Espruino would read as Ctrl-C / Ctrl-D', () => {
  it('event packets are padded to a safe length and still parse as the same JSON', () => {
    for (let n = 2; n < 600; n++) {
      const json = JSON.stringify({ s: 'x'.repeat(n) });
      const pkt = encodeEventPacket(json);
      const len = ((pkt[2] << 8) | pkt[3]) & 0x1fff;
      expect(unsafeLength(len)).toBe(false);
      expect(JSON.parse(Buffer.from(pkt.subarray(4)).toString('latin1'))).toEqual({ s: 'x'.repeat(n) });
    }
  });

  it('file uploads never use an unsafe chunk length and carry every byte', () => {
    for (const size of [3, 4, 259, 260, 1027, 1028, 2051, 5000]) {
      const data = 'a'.repeat(size);
      const pkts = encodeFileUpload('f', data, 1024);
      let total = 0;
      for (const p of pkts.slice(1)) {
        const len = ((p[2] << 8) | p[3]) & 0x1fff;
        if (size > 5) expect(unsafeLength(len)).toBe(false);
        total += len;
      }
      expect(total).toBe(size);
    }
  });
});
