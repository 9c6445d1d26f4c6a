// The `stipple console` server: the page's files over HTTP and one WebSocket (/ws) to
// the pen port, for one page at a time (as a serial port has one owner). Every message
// from the page is validated (console-messages.ts); a bad one is answered with an
// `error` message and changes nothing. Connections from pages of other origins are
// refused: the socket can drive a pen, and any website open in the same browser could
// otherwise reach a local port.
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { bytesToBase64 } from './base64';
import { CONSOLE_PROTOCOL, CONSOLE_WS_PATH, clientMessage, parseMessage } from './console-messages';
import type { ServerMessage } from './console-messages';
import type { ListenAddress } from './listen-address';
import { checkPageDir, servePageFile } from './page-files';
import type { PenPort } from './pen-port';

/** A page that does not read what the pen sends (a frozen tab) is dropped beyond this backlog, bytes. */
const MAX_BACKLOG = 8 << 20;
const MAX_MESSAGE = 2 << 20;

export interface ConsoleServerOptions {
  /** The pen behind the WebSocket; null: the page only (it connects over Web Serial or Web Bluetooth). */
  port: PenPort | null;
  listen: ListenAddress;
  pageDir: string;
  /** Tool name and version, for the page. */
  tool: string;
}

export class ConsoleServer {
  private page: WebSocket | undefined;
  /** Pages connected so far, and messages from them refused. */
  connections = 0;
  refused = 0;

  private constructor(private readonly http: Server, private readonly wss: WebSocketServer, private readonly o: ConsoleServerOptions) {
    wss.on('connection', (ws, req) => this.onConnection(ws, req));
  }

  static async start(o: ConsoleServerOptions): Promise<ConsoleServer> {
    checkPageDir(o.pageDir);
    const http = createServer((req, res) => {
      const urlPath = (req.url ?? '/').split('?')[0]!;
      if ((req.method === 'GET' || req.method === 'HEAD') && servePageFile(o.pageDir, urlPath, res)) return;
      if (urlPath === '/favicon.ico') { res.writeHead(204).end(); return; } // none: spare the browser's console a 404
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
    http.on('upgrade', (req, socket, head) => {
      const urlPath = (req.url ?? '').split('?')[0];
      if (urlPath !== CONSOLE_WS_PATH || !sameOrigin(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'EADDRINUSE'
        ? `${o.listen.host}:${o.listen.port} is in use (another stipple console?): pick another with --listen`
        : `cannot listen on ${o.listen.host}:${o.listen.port}: ${e.message}`)));
      http.listen(o.listen.port, o.listen.host, () => resolve());
    });
    const server = new ConsoleServer(http, wss, o);
    o.port?.onFailure((why) => server.dropPage({ t: 'closed', why }));
    return server;
  }

  /** The page's address. */
  get url(): string {
    const a = this.http.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${a.port}/`;
  }

  private onConnection(ws: WebSocket, _req: IncomingMessage): void {
    const port = this.o.port;
    if (!port) {
      send(ws, { t: 'error', msg: 'this stipple console serves no pen (started without --sim or --port): connect over Web Serial or Web Bluetooth' });
      ws.close(1008, 'no pen');
      return;
    }
    if (this.page) {
      send(ws, { t: 'error', msg: 'another page is connected to this pen: disconnect it first (one page at a time, as one program owns a serial port)' });
      ws.close(1008, 'busy');
      return;
    }
    this.page = ws;
    this.connections++;
    send(ws, { t: 'hello', v: CONSOLE_PROTOCOL, tool: this.o.tool, ...port.hello() });
    const out = (m: ServerMessage): void => {
      if (ws.bufferedAmount > MAX_BACKLOG) { ws.terminate(); return; }
      send(ws, m);
    };
    port.attach({
      pen: (b) => out({ t: 'pen', d: bytesToBase64(b) }),
      gauge: (b) => out({ t: 'gauge', d: bytesToBase64(b) }),
      handset: (s) => out(s),
    });
    ws.on('message', (data, isBinary) => {
      if (this.page !== ws) return;
      const r = isBinary ? { ok: false as const, error: 'binary frames are not part of the console protocol' } : parseMessage(clientMessage, data.toString());
      if (!r.ok) { this.refused++; send(ws, { t: 'error', msg: `refused: ${r.error}` }); return; }
      try {
        port.handle(r.msg);
      } catch (e) {
        this.refused++;
        send(ws, { t: 'error', msg: `refused: ${e instanceof Error ? e.message : String(e)}` });
      }
    });
    ws.on('close', () => {
      if (this.page !== ws) return;
      this.page = undefined;
      port.attach(undefined);
    });
    ws.on('error', () => undefined); // a page that vanished: 'close' follows
  }

  private dropPage(last: ServerMessage): void {
    const ws = this.page;
    if (!ws) return;
    send(ws, last);
    ws.close(1011, 'pen link lost');
  }

  async close(): Promise<void> {
    this.o.port?.attach(undefined);
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    await new Promise<void>((r) => this.http.close(() => r()));
    this.http.closeAllConnections();
  }
}

function send(ws: WebSocket, m: ServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
}

/** A browser says where the page came from: it must be this server (any Host the page used). Tools without Origin are let in. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
