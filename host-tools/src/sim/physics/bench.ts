// Micro-benchmark of the pen physics alone: a 150 strokes/s train into normal skin with
// hand wobble, the board advancing the model at `advanceHz` and reading the Hall ADC at
// each advance (as a firmware control loop sampling the waveform would).
// Run: `npx ts-node host-tools/src/sim/physics/bench.ts` (or import `benchmarkPhysics`).

import { PIN_MAPS } from '../../../../firmware/src/boards/pin-maps';
import { createPenHardware, type PenVariant } from './pen-hardware';

export interface BenchResult {
  variant: PenVariant;
  virtualSeconds: number;
  wallSeconds: number;
  steps: number;
  stepsPerSecond: number;
  realTimeFactor: number;
  strokes: number;
}

export function benchmarkPhysics(opts: { variant?: PenVariant; seconds?: number; advanceHz?: number; strokeRate?: number } = {}): BenchResult {
  const variant = opts.variant ?? 'voiceCoil';
  const seconds = opts.seconds ?? 5;
  const advanceHz = opts.advanceHz ?? 2000;
  const rate = opts.strokeRate ?? 150;
  const pins = PIN_MAPS.PICO;
  const hw = createPenHardware({ seed: 7, variant, spread: true, pins, skin: { type: 'normal', wobble: { amplitudeMm: 0.1, freqHz: 3 } } });
  if (variant === 'voiceCoil') {
    hw.setPinDrive(pins.DRIVE_PWM, { kind: 'pwm', duty: 0.55, freq: 20000 });
    hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'pwm', duty: 0.5, freq: rate });
  } else {
    // stage to ~1 mm bottom-of-stroke, then ramp the cam to speed
    hw.setPinDrive(pins.STAGE_DIR, { kind: 'digital', value: true });
    hw.pulseTrain(pins.STAGE_STEP, true, 0, new Array<number>(2 * 2400).fill(0.1));
    hw.setPinDrive(pins.DRIVE_PHASE, { kind: 'digital', value: true });
  }
  const h = 1 / advanceHz;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let k = 1; k * h <= seconds; k++) {
    const t = k * h;
    if (variant === 'stepper' && k % 20 === 0 && t < 0.5) {
      const f = Math.min(rate * (MICRO / 3), 400 + (t / 0.5) * rate * (MICRO / 3));
      hw.setPinDrive(pins.DRIVE_PWM, { kind: 'pwm', duty: 0.5, freq: f });
    }
    hw.advance(t);
    sink += hw.analogIn(pins.HALL);
  }
  const wallClock = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  // CPU time of this thread's process (robust against other load on the machine), capped by wall time
  const wall = Math.min(wallClock, (cpu.user + cpu.system) / 1e6 || wallClock);
  const steps = seconds / hw.dt;
  if (sink < 0) console.log(sink);
  return {
    variant,
    virtualSeconds: seconds,
    wallSeconds: wall,
    steps,
    stepsPerSecond: steps / wall,
    realTimeFactor: seconds / wall,
    strokes: hw.traces.count,
  };
}

const MICRO = 400;

if (require.main === module) {
  for (const variant of ['voiceCoil', 'stepper'] as const) {
    benchmarkPhysics({ variant, seconds: 5 }); // JIT warm-up
    const r = benchmarkPhysics({ variant, seconds: 60 });
    console.log(
      `${variant}: ${r.virtualSeconds} s virtual in ${r.wallSeconds.toFixed(3)} s wall: ` +
        `${(r.stepsPerSecond / 1e6).toFixed(2)} M steps/s, ${r.realTimeFactor.toFixed(0)}× real time, ${r.strokes} strokes`,
    );
  }
}
