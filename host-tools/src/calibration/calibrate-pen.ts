// calibratePen: the technician's calibration of one pen, end to end (docs/calibration.md):
// pre-check and SERVICE, sensor, actuator identification and stroke model (voice coil) or
// the Hall sensor, depth stage and cam from captured strokes (stepper), gains,
// verification on the phantom, write + read-back. Nothing is written unless verification
// passed. Whatever stops it (a failed check, Ctrl-C through `signal`, a lost link) it
// tries to leave the pen safe: run stopped, SERVICE left (which drops the trial record),
// the calibration in force untouched. The demo, the HIL runner and `stipple calibrate`
// all call this.
import type { Calibration, Info } from '@stipple/protocol';
import { realClock } from '../link/clock';
import type { HostClock } from '../link/clock';
import type { PenClient } from '../link/pen-client';
import { actuatorStep, UNCALIBRATED_PUSH } from './actuator-step';
import { CalibrationContext } from './calibration-context';
import type { ProgressEvent } from './calibration-context';
import { CalibrationError } from './calibration-error';
import { buildCalibration } from './calibration-record';
import type { CalibrationMeta } from './calibration-record';
import { REPORT_SCHEMA, withResonance } from './calibration-report';
import type { CalibrationReport } from './calibration-report';
import { deriveGains } from './gains';
import type { Gauge } from './gauge';
import { precheck } from './precheck-step';
import type { PrecheckResult } from './precheck-step';
import { SampleLog } from './sample-log';
import { sensorStep } from './sensor-step';
import { STROKE_PUSH, STROKE_RATES, strokeStep } from './stroke-step';
import { autoTechnician } from './technician';
import type { Technician } from './technician';
import { stepperAtRest, stepperParked } from './stepper-at-rest';
import { deriveStageGains } from './stepper-gains';
import { buildStepperCalibration } from './stepper-record';
import { stepperStageStep } from './stepper-stage-step';
import { verifyStep } from './verify-step';
import type { VerifyResult, VerifySettle } from './verify-step';
import { writeStep } from './write-step';

export interface CalibratePenOptions {
  /** A connected client (hello done). */
  client: PenClient;
  /** Await every promise that waits on the pen through this (a simulated pen: `link.run`; a serial port: identity). */
  run: <T>(p: Promise<T>) => Promise<T>;
  /** The session clock (the sim link's virtual clock; default the wall clock). */
  clock?: HostClock;
  gauge: Gauge;
  /** Technician secret of this pen (SERVICE mode). */
  secret: string;
  /** Technician's name for the record. */
  technician: string;
  /** Gauge id for the record (default the gauge's own). */
  gaugeId?: string;
  /** Who confirms fixtures and types readings (default: unattended, lines to onLog). */
  tech?: Technician;
  /** Date of the record (default now). */
  date?: Date;
  /** Verification acceptance, µm (default 20). */
  acceptanceUm?: number;
  /** Clear a latched fault other than UNCALIBRATED/STORAGE_CORRUPT at the pre-check (the pen refuses while its cause persists). */
  clearFaults?: boolean;
  /** false: verify the new calibration but do not write it (default true). */
  write?: boolean;
  /** 'identify': stop after the gains (no verification, nothing written) — identification studies and tests. */
  only?: 'identify';
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  onLog?: (line: string) => void;
  /** Tool name and version for the report. */
  tool?: string;
}

export interface CalibrationResult {
  report: CalibrationReport;
  calibration: Calibration;
  samples: SampleLog;
}

export async function calibratePen(o: CalibratePenOptions): Promise<CalibrationResult> {
  const clock = o.clock ?? realClock;
  const tech = o.tech ?? autoTechnician(o.onLog);
  const samples = new SampleLog();
  const info: Info = o.client.info ?? (await o.run(o.client.connect()));
  const ctx = new CalibrationContext(o.client, o.run, clock, o.gauge, tech, samples, info, o.signal, o.onProgress);
  const date = (o.date ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const report: CalibrationReport = {
    schema: REPORT_SCHEMA, ok: false, failure: null,
    pen: { serial: info.serial, firmware: info.fw, board: info.board, drive: info.drive, fingerprint: info.fp },
    technician: o.technician, gauge: { id: o.gaugeId ?? o.gauge.id, kind: o.gauge.kind }, date, deviceTimeS: 0,
    tool: o.tool ?? 'stipple calibrate',
  };
  let written = false;
  try {
    ctx.step = 'precheck';
    const pre = await precheck(ctx, o.secret, !!o.clearFaults);
    const { info: _i, ...preReport } = pre;
    report.precheck = preReport;
    const meta = { technician: o.technician, gaugeId: report.gauge.id, date, firmware: info.fw, serial: info.serial };
    if (info.drive === 'stepper') {
      const cal = await identifyStepper(ctx, report, pre, meta);
      return await finish(o, ctx, report, samples, cal, pre.limitMm, stepperSettle(ctx), () => (written = true));
    }
    const push = pre.previous.cal?.stroke?.push ?? UNCALIBRATED_PUSH;

    ctx.step = 'sensor';
    const prevHall = pre.previous.status === 'ok' && pre.previous.cal ? pre.previous.cal.hall : null;
    const sensor = await sensorStep(ctx, { senseOffsetFs: pre.senseOffsetFs, limitMm: pre.limitMm, calInForce: prevHall });
    report.sensor = sensor;

    ctx.step = 'actuator';
    const actuator = await actuatorStep(ctx, { sensor, senseOffsetFs: pre.senseOffsetFs, v0: pre.supplyV, push, limitMm: pre.limitMm });
    report.actuator = withResonance(actuator);

    ctx.step = 'stroke';
    const stroke = await strokeStep(ctx, { hall: sensor.fit, actuator: actuator.model, limitMm: pre.limitMm, meta });
    report.stroke = stroke;

    ctx.step = 'gains';
    const gains = deriveGains(actuator.model, STROKE_RATES, STROKE_PUSH, pre.supplyV);
    report.gains = gains;
    ctx.log(`gains: kp ${gains.kp}, ki ${gains.ki} (depth error × ${gains.contraction.toFixed(2)} per block at the design corners)`);
    const cal = buildCalibration({ hall: sensor.fit, stroke: stroke.model, actuator: actuator.model, gains, meta });
    report.calibration = cal;

    return await finish(o, ctx, report, samples, cal, pre.limitMm, undefined, () => (written = true));
  } catch (e) {
    const err = e instanceof CalibrationError ? e : new CalibrationError(ctx.step, e instanceof Error ? e.message : String(e), ctx.aborted);
    const v = (e as { verification?: VerifyResult }).verification;
    if (v) report.verification = v;
    err.penSafe = written ? true : await makeSafe(o, ctx);
    report.failure = { step: err.step, reason: err.message.split('\n')[0], aborted: err.aborted, penSafe: err.penSafe };
    report.deviceTimeS = ctx.elapsedS();
    err.report = { report, samples };
    throw err;
  }
}

/** Verification, then the write (or, with `only: 'identify'`, neither): both variants. */
async function finish(
  o: CalibratePenOptions, ctx: CalibrationContext, report: CalibrationReport, samples: SampleLog, cal: Calibration, limitMm: number,
  settle: VerifySettle | undefined, onWritten: () => void,
): Promise<CalibrationResult> {
  if (o.only === 'identify') {
    await settle?.atRest?.();
    await ctx.run(o.client.leaveService());
    report.ok = true;
    report.deviceTimeS = ctx.elapsedS();
    return { report, calibration: cal, samples };
  }

  ctx.step = 'verify';
  report.verification = await verifyStep(ctx, { cal, limitMm, acceptanceUm: o.acceptanceUm, settle });

  ctx.step = 'write';
  await settle?.atRest?.();
  if (o.write !== false) {
    report.write = await writeStep(ctx, cal);
    onWritten();
  } else {
    await ctx.run(o.client.leaveService());
  }
  report.ok = true;
  report.deviceTimeS = ctx.elapsedS();
  return { report, calibration: cal, samples };
}

/**
 * Stepper: the Hall sensor, the depth stage and the cam from captured strokes (the sensor
 * and actuator steps), then the depth loop's gain from the identified stage.
 */
async function identifyStepper(ctx: CalibrationContext, report: CalibrationReport, pre: PrecheckResult, meta: CalibrationMeta): Promise<Calibration> {
  ctx.step = 'sensor';
  const id = await stepperStageStep(ctx, { limitMm: pre.limitMm, calInForce: pre.previous.status === 'ok' ? pre.previous.cal : null });
  report.stepper = id;

  ctx.step = 'gains';
  // the loop gain's uncertainty from the identification: 3σ of steps/mm and of the Hall span
  const gains = deriveStageGains(3 * (id.stage.relSe + id.hall.relSe));
  report.gains = gains;
  ctx.progress(1, `ki ${gains.ki}`);
  ctx.log(`gains: ki ${gains.ki} (stage loop; depth error × ${gains.contraction.toFixed(2)} per block at the design corners)`);
  const cal = buildStepperCalibration({
    hall: id.hall.fit, stage: { stepsPerMm: id.stage.stepsPerMm, depthAtHome: id.stage.depthAtHome, stepsPerRev: id.cam.stepsPerRev, lobes: id.cam.lobes }, gains, meta,
  });
  report.calibration = cal;
  return cal;
}

/**
 * Stepper verification: settled once the pen's own strokes sit at the setpoint (a run moves
 * its stage first, then ramps the cam); the points ordered by depth, each run starting where
 * the last one left the stage, with the cam parked (a stop parks it within 50 ms).
 */
function stepperSettle(ctx: CalibrationContext): VerifySettle {
  return {
    withinUm: 5, maxMs: 4000, byDepth: true,
    atRest: () => stepperParked(ctx),
  };
}

/** Stop whatever runs and leave SERVICE (dropping the trial record). True when the pen confirmed both. */
async function makeSafe(o: CalibratePenOptions, ctx: CalibrationContext): Promise<boolean> {
  try {
    // runStop is always allowed and stops the heartbeats of a hold or run
    await o.run(o.client.stopRun());
    const st = await o.run(o.client.status());
    // leaving SERVICE makes the pen safe: a stepper's cam parks and its stage runs home (a
    // homing under way goes on to its switch); its needle is in once the stage is home
    if (st.service) await o.run(o.client.leaveService());
    const stepper = ctx.info.drive === 'stepper';
    const home = !stepper || (await stepperAtRest(new CalibrationContext(o.client, o.run, ctx.clock, ctx.gauge, ctx.tech, ctx.samples, ctx.info, undefined, undefined)));
    if (!home) ctx.log('the depth stage did not get back home after the stop: the needle may stand out of the cartridge — power the pen off and on (it homes its stage at boot)');
    return home;
  } catch {
    // link gone: the pen stops itself within 150 ms of the last heartbeat (LINK_LOST)
    ctx.log('could not confirm the pen stopped (link lost): it stops on its own within 150 ms of the last heartbeat');
    return false;
  }
}
