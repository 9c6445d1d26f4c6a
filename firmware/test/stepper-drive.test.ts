// The stepper pen's motion sequences against a fake board (app/stepper-drive.ts): the cam
// turns only with the depth stage known and standing at its position, parked at its
// retracted phase (learned by a probe at home) before the stage moves; stops park the cam;
// faults park it at once, then home the stage; a stalled cam is switched off and homed.
import { Pen } from '../src/app/pen';
import { RecordStore } from '../src/store/record-store';
import { Calibration, CALIBRATION_VERSION } from '../src/control/calibration';
import { FAULT, STATE } from '../src/safety/fault-codes';
import { PROBE_FS } from '../src/app/stepper-drive';
import { createServicePrimitives } from '../src/app/service-primitives';
import { crc32 } from '@stipple/protocol';
import { FakeIo, MemoryFlash, HALL } from './support/fake-io';

const stepperCal: Calibration = {
  hall: HALL,
  stage: { stepsPerMm: 1600, depthAtHome: -0.4, stepsPerRev: 400, lobes: 3 },
  gains: { kp: 0, ki: 0.5 },
  meta: { technician: 't', gaugeId: 'g', date: '2026-11-21', firmware: '0.1.0', serial: 'S1' },
};
const LOBE = 400 / 3;
const raw = (mm: number) => Math.round((HALL.offset + mm / HALL.mmPerUnit) * 65535);

function makeStepper() {
  const store = new RecordStore(new MemoryFlash(), crc32);
  store.save('cal', CALIBRATION_VERSION, stepperCal);
  const io = new FakeIo('stepper');
  const pen = new Pen(io, store);
  pen.boot();
  return { pen, io };
}

/** A probe block at home: the stroke's bottom (depthAtHome) at sample `top`, the rest on the sensor's low rail. */
function probeBlock(top: number, bottomMm = -0.4): Uint16Array {
  const b = new Uint16Array(96);
  for (let i = 0; i < 96; i++) b[i] = Math.max(raw(-2.0), raw(bottomMm - 0.02 * (i - top) * (i - top)));
  return b;
}

/** Feed the probe its blocks (the third is judged), the bottom at sample 40 (a host's run: with heartbeats). */
function probe(io: FakeIo, top = 40, bottomMm = -0.4, pen?: Pen): void {
  for (let b = 0; b < 3 && io.blockHandler; b++) {
    io.advance(96 / PROBE_FS);
    if (pen) pen.heartbeat();
    io.blockHandler(probeBlock(top, bottomMm));
  }
}

/** A cam stroke block with its bottom at `mm`. */
function camBlock(mm: number, k: number): Uint16Array {
  const b = new Uint16Array(96);
  for (let i = 0; i < 96; i++) b[i] = Math.max(raw(-2.0), raw(mm - 1.25 * (1 - Math.cos(((i % (96 / k)) / (96 / k)) * 2 * Math.PI + Math.PI))));
  return b;
}

/** Blocks while turning, the stroke's bottom where the stage puts it (plus `errMm`). */
function run(io: FakeIo, pen: Pen, seconds: number, errMm = 0): void {
  const end = io.t + seconds;
  while (io.t < end) {
    if (!io.blockHandler || !io.camFreq) {
      io.advance(0.01);
      continue;
    }
    io.advance(io.k / (pen.hostRun ? (pen as any).hostSet.rate : pen.prefs.rate));
    pen.heartbeat();
    io.period = 400 / io.camFreq;
    if (io.blockHandler) io.blockHandler(camBlock(-0.4 + io.stageSteps / 1600 + errMm, io.k));
  }
}

/** Until the cam turns past its start rate (the stage's move, the ramp): a host's run sends heartbeats meanwhile. */
function untilTurning(io: FakeIo, pen?: Pen): void {
  for (let i = 0; i < 400 && !(io.camFreq > 2500); i++) {
    io.advance(0.01);
    if (pen) pen.heartbeat();
  }
}

/** SERVICE entered, a host's run at `depth` (120/s) asked, probed and turning. */
function startServiceRun(pen: Pen, io: FakeIo, depth: number): void {
  expect(pen.enterService()).toBe('');
  io.advance(0.06);
  expect(pen.startHostRun(depth, 120, 30, false)).toBe('');
  io.advance(0.02);
  probe(io, 40, -0.4, pen);
  untilTurning(io, pen);
}

/** From boot to the cam turning at the run's depth. */
function startRun(pen: Pen, io: FakeIo, depth = 1.0, rate = 120): void {
  pen.prefs.depth = depth;
  pen.prefs.rate = rate;
  expect(pen.start(false)).toBe('');
  io.advance(0.06); // the boot's homing ends
  io.advance(0.02);
  probe(io);
  io.advance(0.05); // the park
  untilTurning(io); // the stage's move
}

describe('stepper pen: start sequence', () => {
  it('waits for the homing, probes at home, parks, positions the stage, and only then turns the cam', () => {
    const { pen, io } = makeStepper();
    expect(io.homes).toBe(1);
    pen.prefs.depth = 1.2;
    pen.start(false);
    expect(pen.supervisor.penState).toBe(STATE.RUNNING);
    expect(io.camFreq).toBe(0); // the stage is still homing: its position is unknown
    io.advance(0.08);
    expect(io.camFreq).toBe(2500); // the probe turns the cam at home
    expect(io.stageSteps).toBe(0);
    probe(io);
    expect(io.parks.length).toBe(1);
    const p = io.parks[0];
    expect(p.every).toBeCloseTo(LOBE, 9);
    // the bottom at sample 40 of the third block: the field then, half a lobe on
    const tBottom = io.sampleStart + (192 + 40 + 1) / PROBE_FS;
    const bottomField = 2500 * (tBottom - io.sampleStart) + 1;
    // (it parks 3 steps past the lobe's minimum)
    const d = (((p.at - (bottomField + LOBE / 2 + 3)) % LOBE) + LOBE) % LOBE;
    expect(Math.min(d, LOBE - d)).toBeLessThan(2);
    untilTurning(io);
    expect(io.stageSteps).toBe(Math.round((1.2 + 0.4) * 1600)); // the whole way, no soft-start margin
    expect(io.camFreq).toBeCloseTo(16000, 6);
    expect(io.camWhileStageMoving).toBe(false);
  });

  it('a run asked while the stage homes (SERVICE left mid-run, entered again) starts only once it is home', () => {
    const { pen, io } = makeStepper();
    startServiceRun(pen, io, 1.8); // entering SERVICE homes the stage too
    run(io, pen, 0.5);
    pen.leaveService(); // makeSafe: the cam parks, then the stage homes
    io.advance(0.03);
    expect(io.stageHoming).toBe(true);
    expect(pen.enterService()).toBe('');
    expect(pen.startHostRun(1.0, 120, 30, false)).toBe('');
    expect(io.camFreq).toBe(0);
    untilTurning(io, pen);
    expect(io.stageSteps).toBe(Math.round(1.4 * 1600));
    expect(io.camWhileStageMoving).toBe(false);
  });

  it('a stage whose homing finds no switch is never moved: the run latches STALL', () => {
    const { pen, io } = makeStepper();
    io.homeFails = true;
    pen.start(false);
    for (let i = 0; i < 30; i++) io.advance(0.01);
    expect(pen.supervisor.latchedFault).toBe(FAULT.STALL);
    expect(io.stageSteps).toBe(0);
    expect(io.camFreq).toBe(0);
  });

  it('a probe that sees no stroke where the calibration puts it latches SENSOR_RANGE', () => {
    const { pen, io } = makeStepper();
    pen.start(false);
    io.advance(0.08);
    probe(io, 40, 0.3);
    expect(pen.supervisor.latchedFault).toBe(FAULT.SENSOR_RANGE);
  });
});

describe('stepper pen: stops and faults', () => {
  it('a stop parks the cam at its retracted phase and leaves the stage; the next run turns at once', () => {
    const { pen, io } = makeStepper();
    startRun(pen, io);
    run(io, pen, 1);
    const pos = io.stageSteps;
    pen.stop();
    expect(io.parks.length).toBe(2);
    io.advance(0.05);
    expect(io.driving).toBe(false);
    expect(io.stageSteps).toBe(pos);
    expect(pen.supervisor.penState).toBe(STATE.READY);
    pen.start(false);
    expect(io.camFreq).toBe(16000);
  });

  it('a fault parks the cam at once, then homes the stage; the run taught the depth loop nothing', () => {
    const { pen, io } = makeStepper();
    startRun(pen, io);
    run(io, pen, 1, -0.03); // the loop learns a 30 µm correction
    const learned = io.stageSteps;
    pen.stop();
    io.advance(0.05);
    pen.start(false);
    run(io, pen, 1, -0.2); // a run that measures nonsense, then a fault
    io.blockHandler!(new Uint16Array(96).fill(Math.round(0.995 * 65535)));
    expect(pen.supervisor.latchedFault).toBe(FAULT.SENSOR_RANGE);
    expect(io.parks.length).toBe(3);
    const homes = io.homes;
    io.advance(0.05);
    expect(io.homes).toBe(homes + 1);
    io.advance(0.1);
    io.hall = 0.01; // at rest the sensor reads its low rail (the cam's retracted end, stage home)
    expect(pen.clearFault()).toBe('');
    pen.start(false);
    io.advance(0.02);
    probe(io); // a cleared sensor fault: the sensor is checked at home first
    io.advance(0.05);
    untilTurning(io);
    expect(io.stageSteps).toBe(learned);
  });

  it('a sensor on its high rail at rest cannot be cleared', () => {
    const { pen, io } = makeStepper();
    startRun(pen, io);
    run(io, pen, 0.5);
    io.blockHandler!(new Uint16Array(96).fill(Math.round(0.995 * 65535)));
    io.hall = 0.99;
    expect(pen.clearFault()).toMatch(/still out of range/);
  });

  it('a cam that no longer passes its index is switched off where it is, and the stage homes', () => {
    const { pen, io } = makeStepper();
    startRun(pen, io);
    run(io, pen, 1);
    io.rotorBlocked = true;
    io.advance(0.05); // the field goes on, the rotor does not
    pen.supervisor.latch(FAULT.STALL, io.t, 'test');
    expect(io.parks.length).toBe(1); // the probe's only: no park for a rotor that does not follow
    expect(io.driving).toBe(false);
    expect(io.stageHoming).toBe(true);
  });

  it('counts the strokes the cam made (its lobes passed: probe, ramp, run and park), every one a dot', () => {
    const { pen, io } = makeStepper();
    startRun(pen, io);
    run(io, pen, 1);
    pen.stop();
    io.advance(0.3);
    expect(pen.counters.cStrokes).toBe(Math.floor(io.camField / LOBE));
    expect(pen.counters.cStrokes).toBeGreaterThan(100);
    expect(pen.counters.cDots).toBe(pen.counters.cStrokes);
  });

  it('a host run in SERVICE stops with the cam parked and the stage where it stood; a primitive then moves it from there, not from home', () => {
    const { pen, io } = makeStepper();
    startServiceRun(pen, io, 1.0);
    run(io, pen, 0.5);
    const at = io.stageSteps;
    expect(at).toBe(Math.round(1.4 * 1600));
    const homes = io.homes;
    pen.stop();
    io.advance(0.1);
    expect(pen.supervisor.penState).toBe(STATE.SERVICE);
    expect(io.camFreq).toBe(0);
    expect(io.stageSteps).toBe(at);
    expect(io.homes).toBe(homes);
    // a hold at a quarter of the hold span: 1200 steps from home, wherever the run left the stage
    const sp = createServicePrimitives(pen);
    expect(sp.hold(0.25, 10, () => undefined)).toBe('');
    expect(io.stageSteps).toBe(1200);
    // leaving SERVICE homes it
    sp.abort('left');
    pen.leaveService();
    io.advance(0.1);
    expect(io.stageSteps).toBe(0);
  });
});
