// The demo (`stipple demo`, `npm start`): on an in-process virtual pen running the real
// firmware bundle, a technician's calibration with the sim gauge (calibratePen, exactly
// as `stipple calibrate --port sim --gauge sim`), then every preset the pen holds (read
// through the protocol) run by a virtual practitioner on the handset with telemetry
// subscribed, each judged against the virtual gauge's truth. Nothing here reads the
// simulator's truth except the gauge, as on a real bench.
import type { Info, Preset, TelemetryRecord } from '@stipple/protocol';
import { calibratePen } from '../calibration/calibrate-pen';
import { CalibrationError } from '../calibration/calibration-error';
import type { CalibrationReport } from '../calibration/calibration-report';
import type { ProgressEvent } from '../calibration/calibration-context';
import type { SampleLog } from '../calibration/sample-log';
import { SimGauge } from '../calibration/sim-gauge';
import type { PenEvent } from '../link/pen-client';
import { connectSimPen } from '../sim/connect-sim-pen';
import type { VirtualPen } from '../sim/virtual-pen';
import { runPreset } from './preset-run';
import type { PresetResult } from './preset-run';
import { VirtualPractitioner } from './virtual-practitioner';

export interface DemoOptions {
  seed: number;
  /** the firmware bundle's text */
  bundle: string;
  /** virtual seconds with the pedal down per preset (default 3), of which the first `settleS` (default 0.5) are not judged */
  secondsPerPreset?: number;
  settleS?: number;
  /** date of the calibration record (default now) */
  date?: Date;
  /** tool name and version for the calibration report */
  tool?: string;
  signal?: AbortSignal;
  /** called once the pen is powered and greeted, before anything runs: set conditions or schedule faults (hardware.conditions, hardware.faults) */
  prepare?: (pen: VirtualPen) => void;
  onCalibrationProgress?: (e: ProgressEvent) => void;
  onLog?: (line: string) => void;
  /** a preset run begins (0-based) / ends */
  onPreset?: (i: number, n: number, p: Preset) => void;
  /** within preset run i of n: the fraction of its pedal time done */
  onPresetProgress?: (i: number, n: number, fraction: number) => void;
  onPresetDone?: (r: PresetResult) => void;
}

export interface DemoResult {
  ok: boolean;
  /** the first thing that failed, one line ('' when ok) */
  failure: string;
  seed: number;
  pen: { serial: string; firmware: string; board: string; drive: string; fingerprint: string };
  calibration: {
    ok: boolean;
    deviceTimeS: number;
    /** worst verification point, µm, and the gains written */
    worstUm: number | null;
    gains: { kp: number; ki: number } | null;
    failure: string | null;
  };
  presets: PresetResult[];
  /** virtual seconds the pen ran, from power-on to the end */
  virtualS: number;
  /** for the calibration files (writeReportFiles) */
  calibrationReport: CalibrationReport;
  samples: SampleLog;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const c = await connectSimPen({ seed: o.seed, bundle: o.bundle, client: { hostName: o.tool ?? 'stipple demo' } });
  const { pen, link, client } = c;
  const info: Info = c.info;
  const telemetry: TelemetryRecord[] = [];
  const events: { at: number; e: PenEvent }[] = [];
  const off = client.onEvent((e) => {
    if (e.id === 'tlm') telemetry.push(e.record);
    else events.push({ at: link.now, e });
  });
  const log = (l: string): void => o.onLog?.(l);
  try {
    o.prepare?.(pen);
    const result: DemoResult = {
      ok: false, failure: '', seed: o.seed,
      pen: { serial: info.serial, firmware: info.fw, board: info.board, drive: info.drive, fingerprint: info.fp },
      calibration: { ok: false, deviceTimeS: 0, worstUm: null, gains: null, failure: null },
      presets: [], virtualS: 0,
      calibrationReport: undefined as unknown as CalibrationReport, samples: undefined as unknown as SampleLog,
    };
    // 1. the technician: calibrate with the rig
    try {
      const cal = await calibratePen({
        client, run: (p) => link.run(p, { limitS: 120 }), clock: link.clock, gauge: new SimGauge(pen.hardware), secret: pen.secret,
        technician: 'demo', date: o.date, signal: o.signal, onProgress: o.onCalibrationProgress, onLog: log, tool: o.tool,
      });
      result.calibrationReport = cal.report;
      result.samples = cal.samples;
    } catch (e) {
      if (!(e instanceof CalibrationError)) throw e;
      const r = e.report as { report: CalibrationReport; samples: SampleLog };
      result.calibrationReport = r.report;
      result.samples = r.samples;
      result.calibration.failure = `${e.step}: ${e.message.split('\n')[0]}`;
    }
    const rep = result.calibrationReport;
    result.calibration = {
      ok: rep.ok, deviceTimeS: rep.deviceTimeS, worstUm: rep.verification?.worstUm ?? null,
      gains: rep.calibration ? { kp: rep.calibration.gains.kp, ki: rep.calibration.gains.ki } : null, failure: result.calibration.failure,
    };
    if (!rep.ok) {
      result.failure = `calibration failed at ${result.calibration.failure}`;
      return finish(result);
    }

    // 2. the practitioner: every preset, selected and run on the handset
    const { presets } = await link.run(client.getPresets());
    const cfg = await link.run(client.getConfig());
    await link.run(client.subscribeTelemetry({ every: 10, perStroke: true }));
    const hands = new VirtualPractitioner(pen, link);
    const order = presets.map((_, k) => (cfg.preset + k) % presets.length);
    for (const [k, index] of order.entries()) {
      if (o.signal?.aborted) throw new Error('interrupted');
      if (k > 0) await hands.nextPreset();
      o.onPreset?.(k, order.length, presets[index]);
      const r = await runPreset({
        pen, link, client, practitioner: hands, pedal: cfg.pedal, index, preset: presets[index],
        seconds: o.secondsPerPreset ?? 3, settleS: o.settleS ?? 0.5, telemetry, events,
        onProgress: (f) => o.onPresetProgress?.(k, order.length, f),
      });
      result.presets.push(r);
      o.onPresetDone?.(r);
      if (r.faults.length || r.stateAfter === 'FAULT') {
        result.failure = `preset ${r.name}: ${r.note || `the pen is in ${r.stateAfter}`}; a latched fault needs a person to clear it, so the demo stops here`;
        return finish(result);
      }
    }
    // leave the pen on the preset it had
    if (presets.length > 1) await hands.nextPreset();
    await link.run(client.unsubscribeTelemetry());
    const failed = result.presets.find((p) => !p.pass);
    result.failure = failed ? `preset ${failed.name}: ${failed.note}` : '';
    return finish(result);
  } finally {
    off();
    await c.close();
  }

  function finish(r: DemoResult): DemoResult {
    r.ok = r.failure === '';
    r.virtualS = link.now;
    return r;
  }
}
