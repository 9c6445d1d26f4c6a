// --listen host:port for `stipple console` (port 0: any free port). Local by default: the
// page can drive a pen, so serving it beyond this machine is a choice made on purpose.

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:8470';

export function parseListen(s: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new Error(`--listen must be host:port, e.g. 127.0.0.1:8470 or [::1]:0 (got "${s}")`);
  return { host: m[1] ?? m[2]!, port };
}
