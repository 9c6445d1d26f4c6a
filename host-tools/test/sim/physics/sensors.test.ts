import { hallNominal, hold, mean, pen, pins, run, std } from './helpers';
import type { ButtonName } from '../../../src/sim/physics/pen-hardware';

describe('sensors', () => {
  it('Hall: nominal transfer 0.1..0.9 FS over −1.5..+3.0 mm, 12-bit quantised, noisy (σ ≈ 0.0008 FS)', () => {
    const hw = pen();
    run(hw, 0.01);
    const reads = Array.from({ length: 4000 }, () => hw.analogIn(pins.HALL));
    for (const r of reads) expect(Math.abs(r * 4095 - Math.round(r * 4095))).toBeLessThan(1e-9);
    expect(mean(reads)).toBeCloseTo(hallNominal(-0.8), 4);
    expect(std(reads)).toBeGreaterThan(0.0006);
    expect(std(reads)).toBeLessThan(0.001);
    hold(hw, 0.4);
    run(hw, 0.3);
    const x = hw.gauge.barMm();
    expect(mean(Array.from({ length: 4000 }, () => hw.analogIn(pins.HALL)))).toBeCloseTo(hallNominal(x), 4);
  });

  it('Hall: offset and gain differ per pen (calibration has work to do)', () => {
    const fits = [1, 2, 3].map((seed) => {
      const hw = pen({ seed, spread: true });
      const pts: [number, number][] = [];
      for (const duty of [0, 0.2, 0.4]) {
        hold(hw, duty);
        run(hw, hw.time() + 0.3);
        pts.push([hw.gauge.barMm(), mean(Array.from({ length: 500 }, () => hw.analogIn(pins.HALL)))]);
      }
      const slope = (pts[2][1] - pts[0][1]) / (pts[2][0] - pts[0][0]);
      return { slope, at0: pts[0][1] - slope * pts[0][0], p: hw.params };
    });
    for (const f of fits) {
      expect(f.slope).toBeCloseTo((0.8 / 4.5) * f.p.hallGain, 3);
      expect(f.at0).toBeCloseTo(0.5 + f.p.hallGain * (hallNominal(0) - 0.5) + f.p.hallOffsetFs, 3);
    }
    expect(new Set(fits.map((f) => f.slope.toFixed(4))).size).toBe(3);
  });

  it('coil current sense: ADC = 0.5 + 0.606·I', () => {
    const hw = pen();
    expect(mean(Array.from({ length: 1000 }, () => hw.analogIn(pins.COIL_I)))).toBeCloseTo(0.5, 3);
    hold(hw, 0.5);
    run(hw, 0.2);
    const i = hw.drive.coilCurrentA();
    expect(mean(Array.from({ length: 2000 }, () => hw.analogIn(pins.COIL_I)))).toBeCloseTo(0.5 + 0.606 * i, 3);
  });

  it('NTC: 10k B3950 under a 10k pull-up reads 0.5 at 25 °C and less when hot', () => {
    const hw = pen();
    expect(mean(Array.from({ length: 1000 }, () => hw.analogIn(pins.COIL_NTC)))).toBeCloseTo(0.5, 3);
    hw.faults.inject('overTemp', { heatJ: 3 * 50 }); // +50 K
    const r = 10000 * Math.exp(3950 * (1 / 348.15 - 1 / 298.15));
    expect(mean(Array.from({ length: 1000 }, () => hw.analogIn(pins.COIL_NTC)))).toBeCloseTo(r / (r + 10000), 3);
  });

  it('VSUPPLY: ADC = V/4/3.3', () => {
    const hw = pen({ supplyV: 8.0 });
    run(hw, 0.01);
    const v = hw.conditions.supplyVoltage();
    expect(v).toBeCloseTo(8.0 - 0.15 * 0.04, 2);
    expect(mean(Array.from({ length: 1000 }, () => hw.analogIn(pins.VSUPPLY)))).toBeCloseTo(v / 4 / 3.3, 3);
  });
});

describe('handset', () => {
  it.each(['BTN_RUN', 'BTN_SPEED_UP', 'BTN_SPEED_DOWN', 'BTN_DEPTH_UP', 'BTN_DEPTH_DOWN'] as ButtonName[])(
    '%s: a press gives bouncy active-low edges (≤ 5 ms) and a clean release',
    (button) => {
      const hw = pen();
      const pin = pins[button];
      expect(hw.digitalIn(pin)).toBe(true);
      hw.handset.press(button, 100, 0.01);
      const edges = run(hw, 0.05).filter((e) => e.pin === pin);
      expect(edges[0]).toEqual({ pin, time: 0.01, value: false });
      expect(edges.length % 2).toBe(1);
      for (const e of edges) expect(e.time - 0.01).toBeLessThanOrEqual(0.005);
      expect(edges[edges.length - 1].value).toBe(false);
      expect(hw.digitalIn(pin)).toBe(false);
      const rel = run(hw, 0.2).filter((e) => e.pin === pin);
      expect(rel[0].time).toBeCloseTo(0.11, 9);
      expect(rel[rel.length - 1].value).toBe(true);
      expect(hw.digitalIn(pin)).toBe(true);
    },
  );

  it('edges come back in time order, each only once, within (previous, t]', () => {
    const hw = pen();
    hw.handset.press('BTN_RUN', 3, 0.01);
    hw.handset.pedalDown(0.0105);
    let prev = 0;
    const all = [];
    for (let t = 0.0001; t < 0.05; t += 0.0003) {
      const e = hw.advance(t);
      for (const x of e) {
        expect(x.time).toBeGreaterThan(prev);
        expect(x.time).toBeLessThanOrEqual(t);
      }
      for (let k = 1; k < e.length; k++) expect(e[k].time).toBeGreaterThanOrEqual(e[k - 1].time);
      all.push(...e);
      prev = t;
    }
    expect(all.filter((e) => e.pin === pins.PEDAL).length).toBeGreaterThanOrEqual(1);
    expect(hw.digitalIn(pins.PEDAL)).toBe(false);
    hw.handset.pedalUp();
    run(hw, 0.1);
    expect(hw.digitalIn(pins.PEDAL)).toBe(true);
  });

  it('cartridge switch: low when seated; removing it opens the switch and removes membrane and needle', () => {
    const hw = pen({ skin: { type: 'normal', randomWalk: false } });
    expect(hw.digitalIn(pins.CARTRIDGE)).toBe(false);
    hw.handset.removeCartridge(0.01);
    const e = run(hw, 0.05).filter((x) => x.pin === pins.CARTRIDGE);
    expect(e[e.length - 1].value).toBe(true);
    expect(hw.digitalIn(pins.CARTRIDGE)).toBe(true);
    hw.handset.insertCartridge(0.06);
    run(hw, 0.1);
    expect(hw.digitalIn(pins.CARTRIDGE)).toBe(false);
  });

  it('LEDs: current colour and history', () => {
    const hw = pen();
    expect(hw.leds.colour()).toBe('off');
    hw.advance(0.01);
    hw.setPinDrive(pins.LED_G, { kind: 'digital', value: true });
    hw.advance(0.02);
    hw.setPinDrive(pins.LED_R, { kind: 'digital', value: true });
    expect(hw.leds.colour()).toBe('yellow');
    expect(hw.digitalIn(pins.LED_R)).toBe(true);
    hw.advance(0.03);
    hw.mcuReset();
    expect(hw.leds.colour()).toBe('off');
    expect(hw.leds.history().map((h) => [h.time, h.r, h.g, h.b])).toEqual([
      [0.01, 0, 1, 0],
      [0.02, 1, 1, 0],
      [0.03, 0, 0, 0],
    ]);
  });
});
