// Calibration identifies each simulated pen's parameters: 20 seeded pens with part-to-part
// spread, the full procedure up to the gains (verification is covered elsewhere).
//
// The Hall sensor and the force constant (from back-EMF, in volts) are compared with the
// simulator's truth directly. Resistance, spring rate, mass and damping are forces and
// currents: the pen can only know them through its own current sense, whose gain has a
// ±2 % part-to-part tolerance (no absolute current or force reference exists on the pen),
// so they are compared with the truth as that sense reports it (× γ, the sense's gain
// error), and with the raw truth within 2 % plus that tolerance.
import { connectSimPen } from '@stipple/host-tools/sim/connect-sim-pen';
import { calibratePen, SimGauge } from '@stipple/host-tools/calibration';
import type { Gauge } from '@stipple/host-tools/calibration';
import { simTruth } from './sim-truth';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

interface Row {
  seed: number;
  deviceS: number;
  hall: number;
  offsetUm: number;
  kf: number;
  r: number;
  k: number;
  m: number;
  c: number;
  rRaw: number;
  kRaw: number;
  mRaw: number;
  cRaw: number;
}

const pct = (est: number, truth: number): number => (est / truth - 1) * 100;

test('identification within 2 % of the simulator\'s truth over 20 seeded pens with spread', async () => {
  const rows: Row[] = [];
  for (const seed of SEEDS) {
    const { pen, link, client, close } = await connectSimPen({ seed, spread: true });
    const hw = pen.hardware;
    const sim = new SimGauge(hw);
    // note the true coil temperature while the holds are read (R is compared at it)
    const temps: number[] = [];
    const gauge: Gauge = Object.assign(Object.create(sim) as Gauge, {
      readHeld: async (r: Parameters<Gauge['readHeld']>[0]) => {
        temps.push(hw.conditions.coilTempC());
        return sim.readHeld(r);
      },
    });
    try {
      const r = await calibratePen({ client, run: (p) => link.run(p), clock: link.clock, gauge, secret: pen.secret, technician: 'jest', only: 'identify' });
      const a = r.report.actuator!.model;
      const h = r.report.sensor!.fit;
      const held = temps.slice(0, 8);
      const t = simTruth(hw.params, held.reduce((x, y) => x + y, 0) / held.length);
      rows.push({
        seed, deviceS: r.report.deviceTimeS, hall: pct(h.mmPerUnit, t.mmPerUnit), offsetUm: (h.offset - t.offset) * h.mmPerUnit * 1000,
        kf: pct(a.kf, t.kf), r: pct(a.rOhm, (t.rOhm * t.gv) / t.gamma), k: pct(a.kNPerMm, t.kNPerMm * t.gamma),
        m: pct(a.mG, t.mG * t.gamma), c: pct(a.cNsPerM, t.cNsPerM * t.gamma),
        rRaw: pct(a.rOhm, t.rOhm), kRaw: pct(a.kNPerMm, t.kNPerMm), mRaw: pct(a.mG, t.mG), cRaw: pct(a.cNsPerM, t.cNsPerM),
      });
    } finally {
      await close();
    }
  }
  const keys = ['hall', 'offsetUm', 'kf', 'r', 'k', 'm', 'c', 'rRaw', 'kRaw', 'mRaw', 'cRaw'] as const;
  const stat = (k: (typeof keys)[number]): string => {
    const v = rows.map((x) => x[k]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const rms = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
    return `${k.padEnd(8)} mean ${mean.toFixed(2).padStart(6)}  rms ${rms.toFixed(2).padStart(5)}  max|·| ${Math.max(...v.map(Math.abs)).toFixed(2).padStart(5)}`;
  };
  // the figures quoted in docs/calibration.md (percent; offset in µm)
  console.log(`identification over ${rows.length} pens (errors in %, offset in µm; r/k/m/c vs truth × the current sense's gain):\n` + keys.map(stat).join('\n'));
  for (const x of rows) {
    expect(Math.abs(x.hall)).toBeLessThan(2);
    expect(Math.abs(x.offsetUm)).toBeLessThan(10);
    expect(Math.abs(x.kf)).toBeLessThan(2);
    expect(Math.abs(x.r)).toBeLessThan(2);
    expect(Math.abs(x.k)).toBeLessThan(2);
    expect(Math.abs(x.m)).toBeLessThan(2);
    // damping is 0.3 of ~1.6 N·s/m total (the rest is the coil's electrical damping) and shares the strokes with friction
    expect(Math.abs(x.c)).toBeLessThan(5);
    for (const raw of [x.rRaw, x.kRaw, x.mRaw]) expect(Math.abs(raw)).toBeLessThan(4);
  }
}, 300000);
