// A PenIo fake for unit tests: records what the pen asks of the hardware and lets
// the test play the sensors and the clock.
import { PenIo, DriveVariant, STAGE_STILL, STAGE_MOVING, STAGE_HOMING, STAGE_LOST } from '../../src/app/pen-io';
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
  driveKind: DriveVariant;
  board = 'PICO';
  t = 0;
  duty = 0;
  rate = 0;
  push = 0;
  held = -1;
  driving = false;
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
    this.driveKind = variant;
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
  // ---- stepper: a cam whose field position advances with its STEP frequency (the rotor
  // follows it unless `rotorBlocked`) and passes its index every `stepsPerRev` at `indexAt`;
  // a depth stage that takes 0.4 ms a step and `homeS` to home (`homeFails`: no switch)
  camField = 0;
  stepsPerRev = 400;
  indexAt = 37;
  rotorBlocked = false;
  /** field position of the last index edge the rotor passed */
  indexField = NaN;
  parks: { at: number; every: number }[] = [];
  stageSteps = 0;
  stageKnown = false;
  stageHoming = false;
  stageBusyUntil = 0;
  homeS = 0.05;
  homeFails = false;
  homes = 0;
  /** the cam turned while the stage was moving or unknown (a safety violation the tests look for) */
  camWhileStageMoving = false;
  camRun(f: number) {
    const ms = camRampMs(this.camFreq, f);
    this.camFreq = f;
    this.driving = f > 0;
    if (f > 0 && this.stageState() !== STAGE_STILL) this.camWhileStageMoving = true;
    return ms;
  }
  camPark(at: number, every: number, done: () => void) {
    this.parks.push({ at, every });
    let p = this.camField + (this.camFreq > 0 ? 200 : 0);
    if (every > 0) p = at + every * Math.ceil((p - at) / every);
    this.camFreq = p > this.camField ? 2500 : 0;
    this.after(20, () => {
      if (!this.rotorBlocked) this.moveField(p - this.camField);
      this.camFreq = 0;
      this.driving = false;
      done();
    });
  }
  camSteps() {
    return this.camField;
  }
  camIndexSteps() {
    return this.indexField;
  }
  private moveField(d: number) {
    const from = this.camField;
    this.camField += d;
    if (this.rotorBlocked || d <= 0) return;
    const last = this.indexAt + this.stepsPerRev * Math.floor((this.camField - this.indexAt) / this.stepsPerRev);
    if (last > from) {
      this.indexField = last;
      this.age = ((this.camField - last) / (this.camFreq || 2500));
    }
  }
  stageMove(steps: number) {
    if (!this.stageKnown && !this.stageHoming) return 0;
    this.stageSteps += steps;
    if (this.camFreq > 0) this.camWhileStageMoving = true;
    this.stageBusyUntil = Math.max(this.stageBusyUntil, this.t) + Math.abs(steps) * 0.0004;
    return Math.abs(steps) * 0.4;
  }
  stageHome() {
    if (this.stageHoming) return;
    this.homes++;
    this.stageHoming = true;
    this.stageKnown = false;
    this.stageSteps = 0;
    this.after(this.homeS * 1000, () => {
      this.stageHoming = false;
      this.stageKnown = !this.homeFails;
    });
  }
  stagePos() {
    return this.stageKnown && !this.stageHoming ? this.stageSteps : NaN;
  }
  stageState() {
    return this.stageHoming ? STAGE_HOMING : !this.stageKnown ? STAGE_LOST : this.t < this.stageBusyUntil ? STAGE_MOVING : STAGE_STILL;
  }
  sampleStart = 0;
  sampleT0() {
    return this.sampleStart;
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
    this.sampleStart = this.t;
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
  /** Advance the clock, running due timers (and the cam's field at its STEP frequency). */
  advance(dt: number) {
    const end = this.t + dt;
    for (;;) {
      const due = this.timers.filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      if (this.camFreq > 0) this.moveField(this.camFreq * (due.next - this.t));
      this.t = due.next;
      if (due.every) due.next += due.every;
      else this.cancel(due.id);
      due.fn();
    }
    if (this.camFreq > 0) this.moveField(this.camFreq * (end - this.t));
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
