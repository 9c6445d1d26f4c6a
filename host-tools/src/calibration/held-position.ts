// One held position: the pen holds a drive level (heartbeats keep the hold), the gauge is
// read, and the pen's own sensors are read at the same position (Hall, coil current,
// supply, coil temperature). A technician may take longer than the pen's 30 s hold limit
// to read a dial, so on a real-time link the hold is renewed every 20 s meanwhile.
import { coilAmpsFromAdc, ntcCelsiusFromAdc, supplyVoltsFromAdc } from '@stipple/firmware/hal/analog-scaling';
import type { ReplyBody } from '@stipple/protocol';
import type { CalibrationContext } from './calibration-context';

export interface HeldPoint {
  label: string;
  duty: number;
  /** the pen's settled Hall reading (mean of four ADC reads), 0..65535 */
  raw: number;
  settled: boolean;
  gaugeMm: number;
  /** coil current (nominal sense scaling, zero offset removed), A; supply, V; coil temperature, °C */
  amps: number;
  volts: number;
  coilC: number;
  /** raw sensor readings behind them (means) */
  currentRaw: number;
  vsupplyRaw: number;
}

/** Settle time of a hold: mechanics ~10 ms, friction creep τ ≈ 20 ms, ms. */
export const HOLD_SETTLE_MS = 150;
const RENEW_MS = 20000;
/** Sensor readings averaged per held position. */
const SENSE_READS = 3;

export async function holdAndRead(ctx: CalibrationContext, duty: number, label: string, senseOffsetFs: number, expectMm?: number): Promise<HeldPoint> {
  const h = await ctx.run(ctx.client.hold(duty, HOLD_SETTLE_MS));
  const renew = ctx.clock.setInterval(() => {
    ctx.client.hold(duty, 20).catch(() => undefined);
  }, RENEW_MS);
  let gaugeMm: number;
  try {
    gaugeMm = await ctx.gauge.readHeld({ label, expectMm });
  } finally {
    ctx.clock.clearInterval(renew);
  }
  ctx.checkAbort();
  // the current sense is the noisiest channel (~3 mA rms): average a few readings
  const reads: ReplyBody<'sensors'>[] = [];
  for (let i = 0; i < SENSE_READS; i++) reads.push(await ctx.run(ctx.client.sensors()));
  const avg = (f: (r: ReplyBody<'sensors'>) => number): number => reads.reduce((a, r) => a + f(r), 0) / reads.length;
  const s = { current: avg((r) => r.current), vsupply: avg((r) => r.vsupply), ntc: avg((r) => r.ntc) };
  const p: HeldPoint = {
    label, duty, raw: h.hall, settled: h.settled, gaugeMm,
    amps: coilAmpsFromAdc(s.current / 65535) - coilAmpsFromAdc(senseOffsetFs),
    volts: supplyVoltsFromAdc(s.vsupply / 65535), coilC: ntcCelsiusFromAdc(s.ntc / 65535),
    currentRaw: s.current, vsupplyRaw: s.vsupply,
  };
  ctx.samples.add(ctx.step, label, 'hall', h.hall / 65535, 'FS', h.hall);
  ctx.samples.add(ctx.step, label, 'gauge', gaugeMm, 'mm');
  ctx.samples.add(ctx.step, label, 'coil current', p.amps, 'A', s.current);
  ctx.samples.add(ctx.step, label, 'supply', p.volts, 'V', s.vsupply);
  ctx.samples.add(ctx.step, label, 'coil temperature', p.coilC, 'degC', s.ntc);
  return p;
}
