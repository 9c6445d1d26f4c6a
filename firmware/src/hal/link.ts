// The host link: packets from the console go to the protocol dispatcher.
import { Pen } from '../app/pen';
import { Identity } from '../app/identity';

export function attachLink(pen: Pen, identity: Identity): void {
  E.on('packet', function (data: any) {
    // replaced by the protocol dispatcher (firmware/src/proto) when it lands
    pen.io.send(JSON.stringify({ echo: data, serial: identity.serial }));
  });
}
