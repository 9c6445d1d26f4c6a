// The simulator rig for one scenario: a fresh virtual pen running the real firmware bundle
// (`firmware/dist/stipple.js`) with the scenario's seed, board, variant and spread,
// calibrated through the CLI's calibration routine when asked (`calibratedSimPen`), records
// damaged in flash when asked, and the scenario's starting conditions applied.
import { readFileSync } from 'node:fs';
import { PIN_MAPS } from '@stipple/firmware/boards/pin-maps';
import { calibratedSimPen } from '../sim/calibrated-sim-pen';
import { connectSimPen } from '../sim/connect-sim-pen';
import type { SimPenConnection } from '../sim/connect-sim-pen';
import type { PenHardware } from '../sim/physics/pen-hardware';
import { FIRMWARE_BUNDLE } from '../sim/virtual-pen';
import type { Rig, SimControl } from './rig';
import type { ConditionsSpec, PenSpec } from './scenario-schema';

/** Flash file prefix of each record (firmware/src/app/pen.ts: the record store's kinds). */
const RECORD_FILE: Record<PenSpec['corrupt'][number], string> = { calibration: 'cal', settings: 'set', presets: 'pre', counters: 'cnt' };

let bundleCache: string | undefined;
function bundle(): string {
  bundleCache ??= readFileSync(FIRMWARE_BUNDLE, 'latin1');
  return bundleCache;
}

class SimRig implements Rig {
  readonly kind = 'sim' as const;
  readonly where = 'sim';
  readonly sim: SimControl;

  constructor(private readonly c: SimPenConnection, board: PenSpec['board']) {
    this.sim = { pen: c.pen, hw: c.pen.hardware, board: c.pen.board, link: c.link, pins: PIN_MAPS[board] };
  }

  get client() {
    return this.c.client;
  }

  get secret(): string {
    return this.c.pen.secret;
  }

  now(): number {
    return this.c.link.now;
  }

  async advanceTo(t: number, tick: () => boolean): Promise<void> {
    const link = this.c.link;
    if (tick() || link.now >= t) return;
    await link.until(() => tick() || link.now >= t, { limitS: t - link.now + 1 });
  }

  close(): Promise<void> {
    return this.c.close();
  }
}

/**
 * A fresh virtual pen for a scenario. A calibrated pen always gets the routine's record
 * through the protocol (the routine runs once per pen identity on a pen of its own), so a
 * scenario's result does not depend on which scenario happened to calibrate its seed first.
 */
export async function openSimRig(spec: PenSpec, onLog?: (line: string) => void): Promise<Rig> {
  const opts = { seed: spec.seed, board: spec.board, variant: spec.variant, spread: spec.spread, bundle: bundle() };
  let c: SimPenConnection;
  if (spec.calibrate) {
    let cal = await calibratedSimPen({ ...opts, date: new Date('2026-01-01T00:00:00Z'), technician: 'HIL rig', onLog });
    if (!cal.fromCache) {
      await cal.close();
      cal = await calibratedSimPen({ ...opts, date: new Date('2026-01-01T00:00:00Z'), technician: 'HIL rig' });
    }
    c = cal;
  } else {
    c = await connectSimPen(opts);
  }
  if (spec.corrupt.length > 0) {
    try {
      await damageRecords(c, spec.corrupt);
    } catch (e) {
      await c.close();
      throw e;
    }
  }
  return new SimRig(c, spec.board);
}

/** Damage both flash copies of each record (one byte of the body: the CRC no longer matches), then power-cycle the pen. */
async function damageRecords(c: SimPenConnection, records: PenSpec['corrupt']): Promise<void> {
  const storage = c.pen.board.storage;
  for (const r of records) {
    for (const slot of ['a', 'b']) {
      const name = `${RECORD_FILE[r]}.${slot}`;
      const text = storage.read(name);
      if (text === undefined) continue;
      // a digit of the record's body: still well-formed, but its CRC no longer matches
      const body = text.indexOf('"d":"');
      const m = /[0-9]/.exec(text.slice(body + 5));
      if (body < 0 || !m) throw new Error(`record ${name} has no body to damage`);
      const at = body + 5 + m.index;
      storage.writeFile(name, text.slice(0, at) + (text[at] === '1' ? '2' : '1') + text.slice(at + 1));
    }
  }
  c.pen.board.powerOff();
  c.pen.board.powerOn();
  c.client.resetLink();
  await c.link.run(c.client.connect());
}

/** Apply conditions to the simulated hardware now. */
export function applyConditions(hw: PenHardware, s: ConditionsSpec): void {
  const c = hw.conditions;
  if (s.skin !== undefined) c.setSkin(s.skin);
  if (s.stiffness !== undefined) c.setStiffnessStep(s.stiffness);
  if (s.randomWalk !== undefined) c.setRandomWalk(s.randomWalk);
  if (s.wobble !== undefined) c.setWobble(s.wobble === 'off' ? { amplitudeMm: 0, freqHz: 2 } : s.wobble);
  if (s.surfaceOffsetMm !== undefined) c.setSurfaceOffset(s.surfaceOffsetMm);
  if (s.needle !== undefined) {
    c.setNeedle(typeof s.needle === 'string' ? { count: s.needle === '3RL' ? 3 : 1, diameterMm: 0.25 } : s.needle);
  }
  if (s.supplyV !== undefined) c.setSupplyVoltage(s.supplyV);
  if (s.ambientC !== undefined) c.setAmbient(s.ambientC);
}
