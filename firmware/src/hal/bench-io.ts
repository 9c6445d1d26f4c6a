// The bench build's hardware layer: no motor, no needle. The actuator and the Hall
// sensor are a small numerical model evaluated once per stroke, so the whole firmware
// and protocol run on a bare Espruino board or on the Linux interpreter.
// Buttons and LEDs are not used; timers and the console are the real ones.
import { PenIo, RAW_HALL, RAW_CURRENT, RAW_NTC } from '../app/pen-io';
import { Calibration } from '../control/calibration';
import { SAMPLES_PER_BLOCK } from '../control/block-analysis';
import { espruinoServices, EspruinoServices } from './espruino-services';
import { consoleWrite } from './console';
import { CamDriver } from './cam-driver';
import { StageDriver } from './stage-driver';

/** The bench actuator: air bottom-of-stroke depth = gain(rate)·u + REST_MM, gain falling above 160 strokes/s. */
const BENCH = { restMm: -0.8, gain0: 4.0, corner: 160, skinLossMm: 0.25, wobbleMm: 0.04, wobbleHz: 2, hallOffset: 0.3667, hallPerMm: 0.1778 };
const RATES = [50, 75, 100, 125, 150];

function benchGain(rate: number): number {
  return BENCH.gain0 / (1 + (rate / BENCH.corner) * (rate / BENCH.corner));
}

function rawAt(mm: number): number {
  return Math.round((BENCH.hallOffset + mm * BENCH.hallPerMm) * 65535);
}

/** The bench model's exact calibration (the model is known, nothing is guessed). */
export function benchCalibration(serial: string): Calibration {
  const gain: number[] = [];
  const offset: number[] = [];
  for (let i = 0; i < RATES.length; i++) {
    gain.push(benchGain(RATES[i]));
    offset.push(BENCH.restMm);
  }
  return {
    hall: { offset: BENCH.hallOffset, mmPerUnit: 1 / BENCH.hallPerMm },
    stroke: { rates: RATES, gain: gain, offset: offset, push: 0.45 },
    gains: { kp: 0.05, ki: 0.7 },
    meta: { technician: 'bench', gaugeId: 'model', date: '2026-01-01', firmware: __STIPPLE_FW_VERSION__, serial: serial },
  };
}

export function createBenchIo(board: string): PenIo {
  const buf = new Uint16Array(SAMPLES_PER_BLOCK);
  let rate = 100;
  let duty = 0;
  let held = -1;
  let k = 3;
  let timer = 0;
  let handler: ((b: Uint16Array) => void) | undefined;
  const trough = rawAt(BENCH.restMm);
  // read by the conformance test and `stipple bench` over the REPL: global.stippleCpu
  // (quoted names: the build keeps them unshortened); `last` holds the last 64 blocks' times in
  // µs, so a reader can take their median: a machine shared with other work preempts some blocks
  // `lastW` the time of each of those blocks spent writing to the console (the Linux build's console
  // costs a system call per byte and waits for the host; a Pico's USB only copies into its FIFO)
  const cpu = { 's': 0, 'blocks': 0, 'strokes': 0, 'k': 0, 'last': new Float32Array(64), 'lastW': new Float32Array(64) };
  let writeS = 0;
  global['stippleCpu'] = cpu;

  function fillBlock(): void {
    const t = getTime();
    const u = duty;
    const air = benchGain(rate) * u + BENCH.restMm;
    const loss = BENCH.skinLossMm + BENCH.wobbleMm * Math.sin(2 * Math.PI * BENCH.wobbleHz * t);
    const peak = rawAt(air - loss);
    // sampling is phase-locked to the strokes: every stroke's bottom at the same sample phase
    const s = SAMPLES_PER_BLOCK / k;
    buf.fill(trough);
    for (let c = s >> 2; c < SAMPLES_PER_BLOCK; c += s) {
      buf[c - 1] = peak - 40;
      buf[c] = peak;
      buf[c + 1] = peak - 40;
    }
    if (handler) {
      // the firmware's per-block work, timed for the control-CPU budget (docs/control.md)
      writeS = 0;
      const t0 = getTime();
      handler(buf);
      const dt = getTime() - t0;
      cpu.s += dt;
      cpu.last[cpu.blocks & 63] = dt * 1e6;
      cpu.lastW[cpu.blocks & 63] = writeS * 1e6;
      cpu.blocks++;
      cpu.strokes += k;
      cpu.k = k;
    }
  }

  const io: Omit<PenIo, keyof EspruinoServices | keyof CamDriver | keyof StageDriver> = {
    driveKind: 'bench',
    board: board,
    strokeStart(r, _push, d) {
      rate = r;
      duty = d;
      held = -1;
    },
    strokeDuty(d) {
      duty = d;
    },
    hold(d) {
      held = d;
    },
    driveOff() {
      duty = 0;
      held = -1;
    },
    sample(r, strokesPerBlock, onBlock) {
      handler = onBlock;
      k = strokesPerBlock;
      rate = r;
      if (timer) clearInterval(timer);
      timer = setInterval(fillBlock, (1000 * k) / r);
    },
    sampleStop() {
      handler = undefined;
      if (timer) clearInterval(timer);
      timer = 0;
    },
    sampleT0() {
      return 0;
    },
    capture(fs, n, done) {
      // one stroke of the model: a raised cosine from rest to the air depth
      const out = new Uint16Array(n);
      const bottom = benchGain(rate) * duty + BENCH.restMm;
      const per = fs / rate;
      for (let i = 0; i < n; i++) out[i] = rawAt(BENCH.restMm + ((bottom - BENCH.restMm) * (1 - Math.cos((2 * Math.PI * i) / per))) / 2);
      setTimeout(function () {
        done(out);
      }, (1000 * n) / fs);
    },
    hallRaw() {
      const mm = held >= 0 ? BENCH.restMm + BENCH.gain0 * held : BENCH.restMm;
      return rawAt(mm) / 65535;
    },
    raw(channel) {
      if (channel === RAW_HALL) return io.hallRaw();
      if (channel === RAW_CURRENT) return 0.5 + 0.606 * ((duty * 7.4 * 0.45) / 4);
      if (channel === RAW_NTC) return 0.5;
      return 7.4 / 4 / 3.3;
    },
    homeSwitch() {
      return false;
    },
    coilAmps() {
      return (duty * 7.4 * 0.45) / 4;
    },
    coilTempC() {
      return 25;
    },
    supplyV() {
      return 7.4;
    },
    cartridgePresent() {
      return true;
    },
    led() {},
  };
  const pen = Object.assign(io, espruinoServices) as PenIo;
  pen.send = function (data) {
    const t0 = getTime();
    consoleWrite(data);
    writeS += getTime() - t0;
  };
  return pen;
}
