// Serial ports on this machine, marking likely Espruino boards by USB vendor/product id.
// Uses serialport's own listing where it works; on Linux it needs `udevadm`, and
// without it we read sysfs directly instead of letting serialport crash.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'fs';
import path from 'path';
import { execFileSync } from 'child_process';

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  espruino: boolean;
  why?: string;
}

/** USB ids of boards that run Espruino (vendor:product, lower-case hex). */
export const ESPRUINO_USB_IDS: { [id: string]: string } = {
  '0483:5740': 'Espruino Pico / WiFi (STM32 virtual COM port)',
  '10c4:ea60': 'ESP32 dev board (CP210x)',
  '1a86:7523': 'ESP32 dev board (CH340)',
  '1a86:55d4': 'ESP32 dev board (CH9102)',
  '303a:1001': 'ESP32-S3/C3 (native USB)',
};

function classify(p: PortInfo): PortInfo {
  const id = p.vendorId && p.productId ? `${p.vendorId.toLowerCase()}:${p.productId.toLowerCase()}` : '';
  const why = ESPRUINO_USB_IDS[id];
  return { ...p, espruino: !!why, why };
}

function hasUdevadm(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v udevadm'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function readSysfs(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Linux without udev: /sys/class/tty/<name>/device → the USB interface → its device's idVendor. */
function listFromSysfs(): PortInfo[] {
  const base = '/sys/class/tty';
  if (!existsSync(base)) return [];
  const ports: PortInfo[] = [];
  for (const name of readdirSync(base)) {
    if (!/^tty(ACM|USB|AMA|S)\d+$/.test(name)) continue;
    const dev = path.join(base, name, 'device');
    if (!existsSync(dev)) continue;
    let usb = realpathSync(dev);
    let vendorId: string | undefined;
    let productId: string | undefined;
    let manufacturer: string | undefined;
    for (let i = 0; i < 4 && usb !== '/'; i++) {
      vendorId = readSysfs(path.join(usb, 'idVendor'));
      if (vendorId) {
        productId = readSysfs(path.join(usb, 'idProduct'));
        manufacturer = readSysfs(path.join(usb, 'manufacturer'));
        break;
      }
      usb = path.dirname(usb);
    }
    if (/^ttyS\d+$/.test(name) && !vendorId) continue; // legacy UARTs with nothing behind them
    ports.push(classify({ path: `/dev/${name}`, vendorId, productId, manufacturer, espruino: false }));
  }
  return ports;
}

export async function listPorts(): Promise<PortInfo[]> {
  if (process.platform === 'linux' && !hasUdevadm()) return listFromSysfs();
  const { SerialPort } = await import('serialport');
  const list = await SerialPort.list();
  return list.map((p) => classify({ path: p.path, vendorId: p.vendorId, productId: p.productId, manufacturer: p.manufacturer, espruino: false }));
}
