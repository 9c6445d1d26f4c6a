// The page's end of the WebSocket to `stipple console` (host-tools/src/console). Every
// message received is validated with the shared zod schemas; a malformed one is reported
// and dropped, so it changes nothing. The pen's and the rig's bytes come out as byte
// channels, which the page's PenClient and gauge read as if they were serial ports.
import { base64ToBytes, bytesToBase64 } from '../../src/console/base64';
import { CONSOLE_WS_PATH, parseMessage, serverMessage } from '../../src/console/console-messages';
import type { ClientMessage, HandsetStatus, HelloMessage, ServerMessage } from '../../src/console/console-messages';
import type { ByteTransport } from '../../src/link/transport';

type ByteChannel = 'pen' | 'gauge';

export class ConsoleSocket {
  private readonly bytesCbs: Record<ByteChannel, ((d: Uint8Array) => void) | undefined> = { pen: undefined, gauge: undefined };
  private readonly handsetCbs: ((s: HandsetStatus) => void)[] = [];
  private readonly closeCbs: ((why: string) => void)[] = [];
  private lastWords = '';
  private isClosed = false;

  private constructor(private readonly ws: WebSocket, readonly hello: HelloMessage, private readonly report: (text: string) => void) {}

  /** The socket of the server this page came from. */
  static url(): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${CONSOLE_WS_PATH}`;
  }

  /** Connect; resolves at the server's hello, rejects with the server's reason when it refuses. */
  static open(url: string, report: (text: string) => void): Promise<ConsoleSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      let sock: ConsoleSocket | undefined;
      let refusal = '';
      ws.onmessage = (ev: MessageEvent) => {
        if (typeof ev.data !== 'string') { report('the console server sent a binary frame: ignored'); return; }
        const r = parseMessage(serverMessage, ev.data);
        if (!r.ok) { report(`malformed message from the console server, ignored: ${r.error}`); return; }
        const m = r.msg;
        if (sock) { sock.route(m); return; }
        if (m.t === 'hello') { sock = new ConsoleSocket(ws, m, report); resolve(sock); }
        else if (m.t === 'error') refusal = m.msg;
        else report(`"${m.t}" message before the server's hello: ignored`);
      };
      ws.onclose = (ev: CloseEvent) => {
        if (sock) { sock.ended(); return; }
        reject(new Error(refusal || `cannot connect to the console server at ${url} (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`));
      };
    });
  }

  private route(m: ServerMessage): void {
    switch (m.t) {
      case 'pen':
      case 'gauge': {
        let bytes: Uint8Array;
        try {
          bytes = base64ToBytes(m.d);
        } catch {
          this.report(`malformed "${m.t}" bytes from the console server, ignored`);
          return;
        }
        this.bytesCbs[m.t]?.(bytes);
        break;
      }
      case 'handset':
        for (const f of this.handsetCbs) f(m);
        break;
      case 'error':
        this.report(`console server: ${m.msg}`);
        break;
      case 'closed':
        this.lastWords = m.why;
        break;
      case 'hello':
        this.report('a second hello from the console server: ignored');
        break;
    }
  }

  send(m: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  /** The pen's console (or the rig's port) as a ByteTransport; closing the pen channel closes the socket. */
  channel(ch: ByteChannel): ByteTransport {
    return {
      write: (d) => this.send({ t: ch, d: bytesToBase64(d) }),
      onData: (cb) => { this.bytesCbs[ch] = cb; },
      close: async () => { this.bytesCbs[ch] = undefined; if (ch === 'pen') this.close(); },
    };
  }

  onHandset(cb: (s: HandsetStatus) => void): void {
    this.handsetCbs.push(cb);
  }

  /** Called once when the socket is gone, with why. */
  onClose(cb: (why: string) => void): void {
    this.closeCbs.push(cb);
  }

  close(): void {
    this.isClosed = true;
    this.ws.close(1000, 'disconnected');
  }

  private ended(): void {
    const mine = this.isClosed;
    this.isClosed = true;
    if (mine) return;
    const why = this.lastWords || 'the console server closed the connection (stopped?)';
    for (const f of this.closeCbs) f(why);
  }
}
