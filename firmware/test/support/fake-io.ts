// A PenIo fake for unit tests: records what the pen asks of the hardware and lets
// the test play the sensors and the clock.
import { PenIo, DriveVariant } from '../../src/app/pen-io';
import { Flash } from '../../src/store/flash';
import { camRampMs } from '../../src/control/cam-speed';
import { SAMPLES_PER_BLOCK } from '../../src/control/block-analysis';

export class MemoryFlash implements Flash {
  files: { [name: string]: string } = {};
  writes = 0;
  /** power lost after this many more bytes: the write in progress is cut there */
  failAfterBytes = Infinity;
  read(name: string) {
    return this.files[name];
  }
  write(name: string, data: string) {
    this.writes++;
    if (data.length > this.failAfterBytes) {
      // Espruino erases the old copy before writing the new one: a cut write leaves a truncated file
      this.files[name] = data.slice(0, this.failAfterBytes);
      this.failAfterBytes = 0;
      return false;
    }
    this.failAfterBytes -= data.length;
    this.files[name] = data;
    return true;
  }
  erase(name: string) {
    delete this.files[name];
  }
}

export class FakeIo implements PenIo {
  variant: DriveVariant;
  board = 'PICO';
  t = 0;
  duty = 0;
  rate = 0;
  push = 0;
  held = -1;
  driving = false;
  stageSteps = 0;
  camFreq = 0;
  leds: number[] = [];
  sent: string[] = [];
  blockHandler: ((buf: Uint16Array) => void) | undefined;
  k = 0;
  amps = 0.5;
  temp = 30;
  volts = 7.4;
  cartridge = true;
  period = 0;
  age = 0;
  kicks = 0;
  timers: { id: number; every: number; next: number; fn: () => void }[] = [];
  private nextId = 1;

  constructor(variant: DriveVariant) {
    this.variant = variant;
  }
  now() {
    return this.t;
  }
  strokeStart(rate: number, push: number, duty: number) {
    this.rate = rate;
    this.push = push;
    this.duty = duty;
    this.driving = true;
  }
  strokeDuty(duty: number) {
    this.duty = duty;
  }
  hold(duty: number) {
    this.held = duty;
    this.driving = true;
  }
  /** ms a cam ramp or a stage move takes (the real ones: camRampMs, 0.4 ms per step) */
  camRun(f: number) {
    const ms = camRampMs(this.camFreq, f);
    this.camFreq = f;
    this.driving = f > 0;
    return ms;
  }
  stageMove(steps: number) {
    this.stageSteps += steps;
    return Math.abs(steps) * 0.4;
  }
  homes = 0;
  /** the stage moves (or homes) until this time */
  stageBusyUntil = 0;
  stageBusy() {
    return this.t < this.stageBusyUntil;
  }
  /** a homing takes this long, s */
  homeS = 0.05;
  stageHome() {
    this.stageSteps = 0;
    this.homes++;
    this.stageBusyUntil = this.t + this.homeS;
  }
  indexPeriod() {
    return this.period;
  }
  indexAge() {
    return this.age;
  }
  driveOff() {
    this.driving = false;
    this.duty = 0;
    this.held = -1;
    this.camFreq = 0;
  }
  sample(_rate: number, k: number, onBlock: (buf: Uint16Array) => void) {
    this.k = k;
    this.blockHandler = onBlock;
  }
  sampleStop() {
    this.blockHandler = undefined;
  }
  /** the Hall reading (0..1) that hallRaw/raw(0) return */
  hall = 0.37;
  home = false;
  captures: { fs: number; n: number; done: (buf: Uint16Array) => void }[] = [];
  capture(fs: number, n: number, done: (buf: Uint16Array) => void) {
    this.captures.push({ fs, n, done });
  }
  hallRaw() {
    return this.hall;
  }
  raw(channel: number) {
    return channel === 0 ? this.hall : channel === 1 ? 0.5 : channel === 2 ? 0.45 : 0.56;
  }
  homeSwitch() {
    return this.home;
  }
  coilAmps() {
    return this.amps;
  }
  coilTempC() {
    return this.temp;
  }
  supplyV() {
    return this.volts;
  }
  cartridgePresent() {
    return this.cartridge;
  }
  led(rgb: number) {
    this.leds.push(rgb);
  }
  every(ms: number, fn: () => void) {
    const id = this.nextId++;
    this.timers.push({ id, every: ms / 1000, next: this.t + ms / 1000, fn });
    return id;
  }
  after(ms: number, fn: () => void) {
    const id = this.nextId++;
    this.timers.push({ id, every: 0, next: this.t + ms / 1000, fn });
    return id;
  }
  cancel(id: number) {
    this.timers = this.timers.filter((x) => x.id !== id);
  }
  convolve(a: Uint8Array | Uint16Array, b: Uint16Array, offset: number) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[(i + offset) % b.length];
    return s;
  }
  kickWatchdog() {
    this.kicks++;
  }
  send(data: string) {
    this.sent.push(data);
  }
  /** Advance the clock, running due timers. */
  advance(dt: number) {
    const end = this.t + dt;
    for (;;) {
      const due = this.timers.filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.t = due.next;
      if (due.every) due.next += due.every;
      else this.cancel(due.id);
      due.fn();
    }
    this.t = end;
  }
}

/** A block of Hall samples whose strokes bottom out at `peakMm` (hall: offset 0.3667, 0.1778/mm). */
export function blockAt(peakMm: number, k: number, troughMm = -0.8): Uint16Array {
  // the sensor's output swings 0.01..0.99 of full scale (docs/simulator.md)
  const raw = (mm: number) => Math.round(Math.min(0.99, Math.max(0.01, 0.3667 + mm * 0.1778)) * 65535);
  const buf = new Uint16Array(SAMPLES_PER_BLOCK);
  const s = SAMPLES_PER_BLOCK / k;
  for (let i = 0; i < SAMPLES_PER_BLOCK; i++) {
    const phase = ((i % s) / s) * 2 * Math.PI;
    const mm = troughMm + ((peakMm - troughMm) * (1 - Math.cos(phase))) / 2;
    buf[i] = raw(mm);
  }
  return buf;
}

export const HALL = { offset: 0.3667, mmPerUnit: 1 / 0.1778 };
