// Step 1, pre-check: the pen is one this tool can calibrate, a cartridge is seated, no
// fault is latched (a missing or corrupt calibration may be: that is what is being fixed;
// anything else is cleared only with the technician's consent, and the pen refuses while
// its cause persists), the supply is fit to drive, the sensors read plausibly at rest.
// Then SERVICE mode (HMAC of the technician secret). Reads the calibration in force (the
// one the pen will keep for --restore) and the hard depth limit every motion stays under.
import { FAULT_NAMES, DEPTH_MAX_MM } from '@stipple/protocol';
import type { Calibration, Info } from '@stipple/protocol';
import { PenError } from '../link/errors';
import { coilAmpsFromAdc, ntcCelsiusFromAdc, supplyVoltsFromAdc } from '@stipple/firmware/hal/analog-scaling';
import type { CalibrationContext } from './calibration-context';
import { CalibrationError } from './calibration-error';

/** Sensor readings averaged at rest. */
const REST_READS = 8;
/** Faults that a calibration is allowed (meant) to clear. */
const CAL_FAULTS = [FAULT_NAMES.indexOf('UNCALIBRATED'), FAULT_NAMES.indexOf('STORAGE_CORRUPT')];

export const PRECHECK_LIMITS = {
  /** below this the drive cannot reach the working range at 150/s and the battery sags: charge first, V */
  minSupplyV: 6.8,
  /** current sense at zero current, fraction of full scale around 0.5 */
  senseOffsetFs: 0.05,
  /** coil temperature for a calibration (the Hall span and R drift with it), °C */
  coilC: [10, 40] as [number, number],
};

export interface PrecheckResult {
  info: Info;
  /** calibration in force before this one (kept by the pen for --restore) */
  previous: { status: string; cal: Calibration | null };
  /** hard depth limit in force (active preset's needle), mm */
  limitMm: number;
  supplyV: number;
  coilC: number;
  /** current sense reading at zero current, fraction of full scale */
  senseOffsetFs: number;
  hallRestFs: number;
  clearedFault: string | null;
}

export async function precheck(ctx: CalibrationContext, secret: string, clearFaults: boolean): Promise<PrecheckResult> {
  const { client, info } = ctx;
  const fail = (why: string): never => {
    throw new CalibrationError('precheck', why);
  };
  if (info.drive === 'bench') fail('this pen runs the bench firmware (no motor): flash the device firmware to calibrate it');
  ctx.progress(0.1, 'status');
  const st = await ctx.run(client.status());
  let cleared: string | null = null;
  const needsClear = st.fault !== 0 && !CAL_FAULTS.includes(st.fault);
  // at rest: the current sense's zero (averaged: it is the noisiest channel) and the others
  const rest = [];
  for (let i = 0; i < REST_READS; i++) rest.push(await ctx.run(client.sensors()));
  const s = { ...rest[0], current: rest.reduce((a, r) => a + r.current, 0) / REST_READS, vsupply: rest.reduce((a, r) => a + r.vsupply, 0) / REST_READS };
  if (!s.cartridge) fail('no cartridge seated: seat a cartridge of the type the pen is used with (its membrane is part of the spring being measured)');
  const supplyV = supplyVoltsFromAdc(s.vsupply / 65535);
  if (supplyV < PRECHECK_LIMITS.minSupplyV) fail(`supply ${supplyV.toFixed(2)} V is low (need ≥ ${PRECHECK_LIMITS.minSupplyV} V): charge the battery first — the drive and its model depend on it`);
  const senseOffsetFs = s.current / 65535;
  // a stepper has no coil current sense (COIL_I unused), and at rest its cam may leave the
  // needle below the Hall's range (its first capture checks the sensor); its stage must be home
  const stepper = info.drive === 'stepper';
  // (after a boot or a stop the stage may still be on its way home: the whole travel takes ~2.3 s)
  for (let t = 0; stepper && !s.home && t < 3000; t += 100) {
    await ctx.sleep(100);
    s.home = (await ctx.run(client.sensors())).home;
  }
  if (stepper && !s.home) fail('the depth stage is not at home at rest (its home switch stays open): the stage did not run home, or the switch is disconnected');
  if (!stepper && Math.abs(senseOffsetFs - 0.5) > PRECHECK_LIMITS.senseOffsetFs) {
    fail(`current sense reads ${coilAmpsFromAdc(senseOffsetFs).toFixed(2)} A with the drive off: sense amplifier or shunt fault (or the drive is stuck on)`);
  }
  const coilC = ntcCelsiusFromAdc(s.ntc / 65535);
  if (coilC < PRECHECK_LIMITS.coilC[0] || coilC > PRECHECK_LIMITS.coilC[1]) {
    fail(`coil at ${coilC.toFixed(1)} °C (calibrate between ${PRECHECK_LIMITS.coilC[0]} and ${PRECHECK_LIMITS.coilC[1]} °C): let the pen reach room temperature — the Hall span and coil resistance drift with it`);
  }
  const hallRestFs = s.hall / 65535;
  if (!stepper && (hallRestFs < 0.03 || hallRestFs > 0.97)) fail(`Hall sensor reads ${hallRestFs.toFixed(3)} of full scale at rest: disconnected or shorted`);
  ctx.samples.add('precheck', 'rest', 'supply', supplyV, 'V', s.vsupply);
  ctx.samples.add('precheck', 'rest', 'coil current sense', coilAmpsFromAdc(senseOffsetFs), 'A', s.current);
  ctx.samples.add('precheck', 'rest', 'coil temperature', coilC, 'degC', s.ntc);
  ctx.samples.add('precheck', 'rest', 'hall', hallRestFs, 'FS', s.hall);

  ctx.progress(0.4, 'SERVICE');
  try {
    await ctx.run(client.enterService(secret));
  } catch (e) {
    if (e instanceof PenError && e.code === 'AUTH_FAILED') fail(`the pen refused the technician secret (serial ${info.serial}): use the secret issued for this pen`);
    if (e instanceof PenError && e.code === 'NOT_ALLOWED') fail(`the pen refused SERVICE mode: ${e.message}`);
    throw e;
  }
  if (needsClear) {
    const name = FAULT_NAMES[st.fault] ?? `fault ${st.fault}`;
    if (!clearFaults) fail(`fault ${name} is latched: find its cause (stipple info), then calibrate with --clear-faults (or clear it on the handset)`);
    try {
      await ctx.run(client.clearFaults());
    } catch (e) {
      if (e instanceof PenError && e.code === 'NOT_ALLOWED') fail(`fault ${name} cannot be cleared: ${e.message}`);
      throw e;
    }
    // a fault in SERVICE drops the pen to FAULT: back into SERVICE
    const after = await ctx.run(client.status());
    if (!after.service) await ctx.run(client.enterService(secret));
    cleared = name;
    ctx.log(`cleared latched fault ${name}`);
  }
  ctx.progress(0.7, 'calibration in force, limits');
  const prev = await ctx.run(client.calRead());
  const cfg = await ctx.run(client.getConfig());
  const presets = await ctx.run(client.getPresets());
  const limits = await ctx.run(client.getLimits());
  const needle = presets.presets[cfg.preset]?.needle;
  const lim = limits.limits.find((l) => l.needle === needle)?.maxDepth ?? DEPTH_MAX_MM;
  ctx.progress(1, 'ok');
  return {
    info, previous: { status: prev.status, cal: prev.cal }, limitMm: Math.min(lim, DEPTH_MAX_MM), supplyV, coilC,
    senseOffsetFs, hallRestFs, clearedFault: cleared,
  };
}
