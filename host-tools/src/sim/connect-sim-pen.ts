// One call from nothing to a typed client talking to a powered, greeted virtual pen, all
// on virtual time: what tests, calibration dry-runs and `--port sim` start from.
import type { Info } from '@stipple/protocol';
import { PenClient } from '../link/pen-client';
import type { PenClientOptions } from '../link/pen-client';
import { SimLink } from './sim-link';
import type { SimLinkOptions } from './sim-link';
import { VirtualPen } from './virtual-pen';
import type { VirtualPenOptions } from './virtual-pen';

export interface ConnectSimPenOptions extends VirtualPenOptions {
  link?: SimLinkOptions;
  /** PenClient options; `seq` defaults to 1 (reproducible), the clock is always the link's. */
  client?: Omit<PenClientOptions, 'clock'>;
  /** Virtual seconds to run after power-on before hello (default 0). */
  bootS?: number;
}

export interface SimPenConnection {
  pen: VirtualPen;
  link: SimLink;
  client: PenClient;
  /** The pen's hello reply. */
  info: Info;
  /** Close the client and detach the link. */
  close(): Promise<void>;
}

export async function connectSimPen(opts: ConnectSimPenOptions): Promise<SimPenConnection> {
  const pen = new VirtualPen(opts);
  const link = new SimLink(pen, opts.link);
  const client = new PenClient(link.transport, { hostName: 'stipple-sim', seq: 1, ...opts.client, clock: link.clock });
  const close = async (): Promise<void> => {
    await client.close();
    await link.close();
  };
  try {
    pen.powerOn();
    if (opts.bootS) await link.advance(opts.bootS);
    const info = await link.run(client.connect());
    return { pen, link, client, info, close };
  } catch (e) {
    await close();
    throw e;
  }
}
