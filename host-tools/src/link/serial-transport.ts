// ByteTransport over a serial port (USB CDC or UART) with the `serialport` package.
import { SerialPort } from 'serialport';
import type { ByteTransport } from './transport';

export class SerialTransport implements ByteTransport {
  private cb: ((d: Uint8Array) => void) | undefined;

  private constructor(private readonly port: SerialPort) {
    port.on('data', (b: Buffer) => this.cb?.(new Uint8Array(b.buffer, b.byteOffset, b.length)));
  }

  /** Open `path` (e.g. /dev/ttyACM0, COM3) at `baudRate` (the pen's console: 115200 on UART). */
  static open(path: string, baudRate = 115200): Promise<SerialTransport> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new SerialTransport(port))));
    });
  }

  /** Serial ports that look like a pen (any, if no vendor filter is given). */
  static async list(vendorId?: string): Promise<{ path: string; manufacturer?: string; serialNumber?: string }[]> {
    const ports = await SerialPort.list();
    return ports.filter((p) => !vendorId || p.vendorId?.toLowerCase() === vendorId.toLowerCase());
  }

  write(data: Uint8Array): void {
    this.port.write(Buffer.from(data));
  }

  onData(cb: (d: Uint8Array) => void): void {
    this.cb = cb;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}
