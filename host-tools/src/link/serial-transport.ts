// ByteTransport over a serial port (USB CDC or UART) with the `serialport` package.
import { SerialPort } from 'serialport';
import type { ByteTransport } from './transport';

export class SerialTransport implements ByteTransport {
  private cb: ((d: Uint8Array) => void) | undefined;
  private closeCbs: (() => void)[] = [];

  private constructor(private readonly port: SerialPort) {
    port.on('data', (b: Buffer) => this.cb?.(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    // a USB pen that resets (E.reboot) leaves the bus and comes back as a new device
    port.on('close', () => { for (const f of this.closeCbs) f(); });
    port.on('error', () => undefined); // write errors on a vanished port: reported by 'close'
  }

  /** The port is open (false after close() or when the device went away). */
  get isOpen(): boolean {
    return this.port.isOpen;
  }

  /** Called when the port closes, e.g. the USB device disappeared. */
  onClose(cb: () => void): void {
    this.closeCbs.push(cb);
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
    if (this.port.isOpen) this.port.write(Buffer.from(data));
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
