// `--gauge sim | manual | serial:PATH[@BAUD]`: the reference instrument for a calibration,
// checked against the port it is used with (the sim rig exists only around an
// in-process virtual pen; a serial indicator lives in real time, next to a real port).
import { SerialTransport } from '../../link/serial-transport';
import type { Gauge } from '../../calibration/gauge';
import { ManualGauge } from '../../calibration/manual-gauge';
import { SerialGauge } from '../../calibration/serial-gauge';
import { SimGauge } from '../../calibration/sim-gauge';
import type { Technician } from '../../calibration/technician';
import { CliError } from '../output';
import type { PenSession } from '../port/pen-session';
import { SimSession } from '../port/sim-session';

export interface GaugeSpec {
  kind: 'sim' | 'manual' | 'serial';
  path?: string;
  baud?: number;
}

export function parseGaugeSpec(s: string): GaugeSpec {
  if (s === 'sim' || s === 'manual') return { kind: s };
  const m = /^serial:([^@]+)(?:@(\d+))?$/.exec(s);
  if (m) return { kind: 'serial', path: m[1], baud: m[2] ? Number(m[2]) : 9600 };
  throw new CliError(`--gauge must be sim, manual or serial:PATH[@BAUD] (got "${s}")`);
}

export async function openGauge(spec: GaugeSpec, session: PenSession, tech: Technician, gaugeId?: string): Promise<Gauge> {
  if (spec.kind === 'sim') {
    if (!(session instanceof SimSession)) throw new CliError('--gauge sim reads the rig of an in-process virtual pen: use it with --port sim (for a `stipple sim --pty` pen, use --gauge serial:<its --gauge-pty>)');
    return new SimGauge(session.pen.hardware, gaugeId);
  }
  if (spec.kind === 'manual') return new ManualGauge(tech, gaugeId);
  if (session.kind !== 'serial') throw new CliError('a serial gauge runs in real time: use it with a serial --port (for a virtual pen, `stipple sim --pty P --gauge-pty G`)');
  try {
    const port = await SerialTransport.open(spec.path!, spec.baud);
    return new SerialGauge(port, gaugeId ?? `serial:${spec.path}`, tech, session.clock);
  } catch (e) {
    throw new CliError(`cannot open the gauge on ${spec.path}: ${(e as Error).message}`);
  }
}
