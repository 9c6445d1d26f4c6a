// The stepper's motion around its loops (docs/control.md "Stepper", docs/safety.md):
// - the depth stage's position is known only after a homing run against its switch (at
//   boot, after any fault); before that, or while it moves, the cam does not turn;
// - a run starts with the cam parked at its retracted phase (a lobe's minimum: the needle a
//   whole throw, 2.5 mm, behind the stroke's bottom, so inside the cartridge whatever the
//   stage's position within the hard limit): the stage moves to its position first, then the
//   cam ramps up (the soft start) and its first stroke ends at the set depth;
// - where the retracted phase lies against the cam's index (assembly: not calibrated) is
//   learned once per boot by a probe at home, where the needle cannot leave the cartridge at
//   any phase: the cam turns at its start rate, the Hall is sampled, a stroke's bottom is the
//   highest sample and half a lobe on is a retracted phase. It is kept in field steps
//   (PenIo.camSteps) from the last index edge, so it holds while the rotor stays in step.
//   The probe also shows the Hall sensor reading a stroke where the calibration puts it
//   (needed after a sensor fault: at rest the sensor may sit on its rail);
// - a stop brakes the cam onto its retracted phase and leaves the stage where it is; a fault
//   does the same at once (the needle retracts by the throw within a few strokes), then runs
//   the stage home. A cam that no longer follows its field (stalled, jammed) is switched off
//   where it is: only the stage can retract that needle.
// The sequence advances on a 10 ms poll while it waits for the stage; nothing here runs per
// sample.
import { PenIo, STAGE_STILL, STAGE_LOST } from './pen-io';
import { Calibration } from '../control/calibration';
import { StageDepthController } from '../control/stage-depth';
import { CamSpeedController, CAM_START_HZ } from '../control/cam-speed';
import { SAMPLES_PER_BLOCK } from '../control/block-analysis';
import { FAULT } from '../safety/fault-codes';

/** The sequence looks at the stage this often while it waits, ms. */
const SEQ_POLL_MS = 10;
/** Probe: the Hall is sampled this fast while the cam turns at CAM_START_HZ (a block of 96: 1.5 lobes), Hz. */
export const PROBE_FS = 1200;
/** Probe: the block judged (from 0): by its end the cam has turned 1.5 revolutions, its index passed after the start. */
const PROBE_BLOCK = 2;
/** Probe: the stroke's bottom at home may read this far from the calibration's depthAtHome, mm. */
const PROBE_HOME_TOL_MM = 0.25;
/** The cam counts as parked at its retracted phase within this many steps of it. */
export const PARK_TOL_STEPS = 6;
/**
 * It parks this many steps past the lobe's minimum (8° of lobe, 12 µm of needle): a restart
 * then begins on a whole lobe, its first stroke a whole one, whatever the few steps the
 * learned phase is off.
 */
const PARK_AHEAD_STEPS = 3;
/** The rotor has not passed its index for this many revolutions of the field: it does not follow. */
const LOST_REVS = 1.25;

/** What the sequence is doing. */
export const SEQ_IDLE = 0;
export const SEQ_PROBING = 1;
export const SEQ_PARKING = 2;
export const SEQ_TURNING = 3;

export interface StepperHost {
  /** latch a fault */
  fault(code: number, ctx: string): void;
  /** the cam starts turning with the stage at the run's position: block sampling starts */
  turning(): void;
}

/** The stepper's motion sequences (the class is made here: no RAM on a voice-coil pen, docs/control.md Budgets). */
export function createStepperDrive(io: PenIo, owner: StepperHost) {
  class StepperDrive {
    io: PenIo;
    owner: StepperHost;
    stageCtl: StageDepthController | undefined;
    cam: CamSpeedController | undefined;
    cal: Calibration | undefined;
    phase = SEQ_IDLE;
    /** the loops close from this time: the ramp has arrived, and two blocks more, s */
    settleT = 0;
    /** field steps from an index edge to the next retracted phase (NaN: not learned since boot, or a cleared sensor fault: probe again) */
    retract = NaN;
    /** field steps per revolution and per lobe (a stroke) */
    rev = 400;
    lobe = 400 / 3;
    /** a run is wanted: the sequence goes on until the cam turns */
    private wanted = false;
    /** STEP frequency of the run, Hz, and one sample block, s */
    private hz = 0;
    private blockS = 0;
    private poll = 0;
    private homeAsked = false;
    private homeAfterPark = false;
    private probeN = 0;
    /** field position up to which strokes have been counted */
    private counted = 0;

    constructor(io: PenIo, host: StepperHost) {
      this.io = io;
      this.owner = host;
    }

    /** A calibration came into force (or went: undefined): the cam's phase is probed again with it. */
    use(cal: Calibration | undefined, stage: StageDepthController | undefined, cam: CamSpeedController | undefined): void {
      this.cal = cal;
      this.stageCtl = stage;
      this.cam = cam;
      this.retract = NaN;
      const s = cal && cal.stage;
      if (s) {
        this.rev = s.stepsPerRev;
        this.lobe = s.stepsPerRev / s.lobes;
      }
    }

    /**
     * A run's setpoints (depth within `limit`, rate), `blockS` one sample block: `start` begins
     * a run (stage first, then the cam); else a retune: while the cam turns the stage moves by
     * the feed-forward's difference and the cam ramps to the new rate; before, the sequence
     * aims at the new setpoints.
     */
    run(depth: number, limit: number, rate: number, blockS: number, start: boolean): void {
      const io = this.io;
      const stage = this.stageCtl as StageDepthController;
      stage.configure(depth, limit);
      this.hz = (this.cam as CamSpeedController).configure(rate);
      this.blockS = blockS;
      if (start) {
        stage.runStarts();
        this.wanted = true;
        return this.next();
      }
      if (this.phase !== SEQ_TURNING) return;
      const move = stage.target() - io.stagePos();
      const sm = move ? io.stageMove(move) : 0;
      const cm = io.camRun(this.hz);
      this.settleT = io.now() + (sm > cm ? sm : cm) / 1000 + 2 * blockS;
    }

    /** One settled block while turning (the pen's caller waits for settleT): the depth loop moves the stage, the speed loop trims the STEP frequency. */
    block(meanMm: number, period: number): void {
      const io = this.io;
      if (this.phase !== SEQ_TURNING) return;
      const pos = io.stagePos();
      const next = (this.stageCtl as StageDepthController).update(meanMm, pos);
      if (next !== pos) io.stageMove(next - pos);
      if (period > 0) io.camRun((this.cam as CamSpeedController).update(period));
    }

    /** Strokes since the last call, counted from the cam's field steps (its lobes passed). */
    takeStrokes(): number {
      const c = this.io.camSteps();
      const n = Math.floor(c / this.lobe) - Math.floor(this.counted / this.lobe);
      this.counted = c;
      return n;
    }

    /**
     * A normal stop (a practitioner's, or a host's in SERVICE): the cam brakes onto its
     * retracted phase and the stage stays for the next run. A homing still owed to a fault's
     * park (safe) is kept.
     */
    stop(): void {
      const seq = this.phase;
      this.end();
      if (seq === SEQ_TURNING || seq === SEQ_PROBING) this.park();
    }

    /**
     * Fault, e-stop, SERVICE entered or left: the needle retracts now. A turning cam that
     * follows its field brakes onto its retracted phase, then the stage runs home; one that
     * does not (stalled, jammed) is switched off where it is and the stage runs home.
     */
    safe(): void {
      const io = this.io;
      const seq = this.phase;
      this.end();
      if (seq === SEQ_TURNING) (this.stageCtl as StageDepthController).forgetRun();
      if (seq) {
        // the rotor has passed its index within the last revolutions of its field: it follows
        if (!(io.camSteps() - io.camIndexSteps() > LOST_REVS * this.rev)) {
          this.homeAfterPark = true;
          if (seq !== SEQ_PARKING) this.park();
          return;
        }
        this.retract = NaN;
        io.driveOff();
      }
      this.phase = SEQ_IDLE;
      this.home();
    }

    /** The stage runs home, unless it stands there already (known). */
    private home(): void {
      if (this.io.stagePos() !== 0) this.io.stageHome();
    }

    private end(): void {
      this.wanted = false;
      if (this.poll) this.io.cancel(this.poll);
      this.poll = 0;
    }

    /** Brake the cam onto its retracted phase (unknown: to a stop), then what was asked meanwhile. */
    private park(): void {
      const io = this.io;
      const self = this;
      const at = io.camIndexSteps() + this.retract + PARK_AHEAD_STEPS;
      this.phase = SEQ_PARKING;
      io.sampleStop();
      io.camPark(at === at ? at : 0, at === at ? this.lobe : 0, function () {
        self.phase = SEQ_IDLE;
        if (self.homeAfterPark) self.home();
        self.homeAfterPark = false;
        self.next();
      });
    }

    /** The next step of a start, or nothing while the stage moves (then the poll comes back). */
    private next(): void {
      const io = this.io;
      const self = this;
      if (!this.wanted || this.phase) return;
      if (!this.poll) {
        this.poll = io.every(SEQ_POLL_MS, function () {
          self.next();
        });
      }
      const st = io.stageState();
      if (st === STAGE_LOST) {
        if (this.homeAsked) return this.fail(FAULT.STALL, 'stage: no home switch');
        this.homeAsked = true;
        return io.stageHome();
      }
      if (st !== STAGE_STILL) return;
      this.homeAsked = false;
      const pos = io.stagePos();
      const at = io.camIndexSteps() + this.retract + PARK_AHEAD_STEPS;
      let d = (io.camSteps() - at) % this.lobe;
      if (d < 0) d += this.lobe;
      // the probe, and a cam to be parked, turn only at home: there the needle cannot leave the cartridge
      const probe = !(at === at);
      const unparked = d > PARK_TOL_STEPS && d < this.lobe - PARK_TOL_STEPS;
      if ((probe || unparked) && pos) return void io.stageMove(-pos);
      if (probe) return this.probe();
      if (unparked) return this.park();
      const target = (this.stageCtl as StageDepthController).target();
      if (pos !== target) return void io.stageMove(target - pos);
      // the stage stands at the run's position, the cam at its retracted phase: ramp up (the soft start)
      this.end();
      this.phase = SEQ_TURNING;
      this.settleT = io.now() + io.camRun(this.hz) / 1000 + 2 * this.blockS;
      this.owner.turning();
    }


    /** Turn the cam at home at its start rate and sample the Hall. */
    private probe(): void {
      const io = this.io;
      const self = this;
      this.end();
      this.wanted = true;
      this.phase = SEQ_PROBING;
      this.probeN = 0;
      io.camRun(CAM_START_HZ);
      io.sample(PROBE_FS / SAMPLES_PER_BLOCK, 1, function (buf) {
        if (self.phase === SEQ_PROBING && self.probeN++ === PROBE_BLOCK) self.probed(buf);
      });
    }

    /**
     * The probe's block: its highest sample is a stroke's bottom (within a few steps: the top
     * is flat), which must read where the calibration puts the bottom at home.
     */
    private probed(buf: Uint16Array): void {
      const io = this.io;
      const cal = this.cal as Calibration;
      const top = Math.max.apply(null, buf as any);
      const mm = (top / 65535 - cal.hall.offset) * cal.hall.mmPerUnit - (cal.stage as any).depthAtHome;
      if (!(mm < PROBE_HOME_TOL_MM && mm > -PROBE_HOME_TOL_MM) || top > 0.97 * 65535) return this.fail(FAULT.SENSOR_RANGE, 'probe: ' + mm.toFixed(3) + ' mm off');
      // the rotor passes its index once a revolution (0.16 s here): the last edge came after the start
      if (io.indexAge() > (LOST_REVS * this.rev) / CAM_START_HZ) return this.fail(FAULT.STALL, 'probe: no cam index');
      // the field then (the cam turns at CAM_START_HZ), and half a lobe on
      const t = io.sampleT0() + (PROBE_BLOCK * SAMPLES_PER_BLOCK + buf.indexOf(top) + 1) / PROBE_FS;
      this.retract = (io.camSteps() - (io.now() - t) * CAM_START_HZ - io.camIndexSteps() + this.lobe / 2) % this.lobe;
      this.park();
    }

    private fail(code: number, ctx: string): void {
      this.io.sampleStop();
      this.owner.fault(code, ctx);
    }
  }
  return new StepperDrive(io, owner);
}

export type StepperDrive = ReturnType<typeof createStepperDrive>;
