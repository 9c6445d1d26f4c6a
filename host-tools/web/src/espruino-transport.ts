// A pen over Web Serial or Web Bluetooth, through @espruino-tools/core's connection layer
// (its UART: the chooser dialog, the port or GATT connection, chunking and flow control
// for Bluetooth). What comes out is a ByteTransport like a serial port's, so the page
// speaks the same protocol through the same PenClient as the CLI. The connection carries
// text whose character codes are the bytes (0..255), both ways.
import { DeviceController } from '@espruino-tools/core';
import type { ByteTransport } from '../../src/link/transport';

/** The part of @espruino-tools' connection object this transport uses (its typings say `any`). */
interface EspruinoConnection {
  isOpen: boolean;
  on(event: 'data' | 'close', cb: (d?: string) => void): void;
  write(data: string, cb?: () => void): void;
  close(): void;
}

export class EspruinoTransport implements ByteTransport {
  private cb: ((d: Uint8Array) => void) | undefined;
  private closeCbs: (() => void)[] = [];
  private closed = false;

  private constructor(readonly connection: EspruinoConnection) {
    connection.on('data', (s) => {
      if (!s || this.closed) return;
      const b = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
      this.cb?.(b);
    });
    connection.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      for (const f of this.closeCbs) f();
    });
  }

  /**
   * Shows @espruino-tools' chooser (Web Bluetooth, Web Serial); resolves when the chosen
   * connection is open, rejects when the chooser is closed. The browser's own port or
   * device picker may follow; `cancel` gives up waiting for it.
   */
  static connect(cancel: AbortSignal): Promise<EspruinoTransport> {
    const device = new DeviceController();
    return new Promise((resolve, reject) => {
      cancel.addEventListener('abort', () => reject(new Error('connection cancelled')));
      device.UART.connect((c: EspruinoConnection | null) => {
        if (cancel.aborted) { c?.close(); return; }
        if (!c) reject(new Error('no connection chosen'));
        else resolve(new EspruinoTransport(c));
      });
    });
  }

  write(data: Uint8Array): void {
    if (this.closed) return;
    let s = '';
    for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
    this.connection.write(s);
  }

  onData(cb: (d: Uint8Array) => void): void {
    this.cb = cb;
  }

  /** Called once when the port or the Bluetooth device goes away by itself. */
  onClose(cb: () => void): void {
    this.closeCbs.push(cb);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.close();
  }
}
