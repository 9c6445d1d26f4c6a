// What `stipple console` serves the page: a pen behind the WebSocket. The page is one
// client at a time (a serial port has one owner); what it sends arrives here already
// validated, and what the pen says goes back through `PortClient`.
import type { ClientMessage, HandsetStatus, HelloMessage } from './console-messages';

/** The connected page, as a port sees it. */
export interface PortClient {
  pen(bytes: Uint8Array): void;
  gauge(bytes: Uint8Array): void;
  handset(status: HandsetStatus): void;
}

export interface PenPort {
  /** Sent to every page when it connects (tool is filled in by the server). */
  hello(): Omit<HelloMessage, 't' | 'v' | 'tool'>;
  /** A page connected (undefined: it went away; the pen carries on, as when a USB cable is pulled). */
  attach(client: PortClient | undefined): void;
  /** A validated message from the page; throws an Error with a one-line reason to refuse it (nothing changed). */
  handle(msg: ClientMessage): void;
  /** Called once if the pen link cannot go on (serial port gone, simulation stopped). */
  onFailure(cb: (why: string) => void): void;
  close(): Promise<void>;
}
