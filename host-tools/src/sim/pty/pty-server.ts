// A virtual pen served on pseudo-terminals (`stipple sim --pty`): its console on one PTY,
// opened like the pen's USB serial port by stipple commands, the espruino CLI or a
// terminal; optionally the technician's dial indicator on a second PTY, streaming
// readings as text lines. The simulation is paced to the wall clock (times `speed`),
// since the programs on the other end live in real time.
import { VirtualPen } from '../virtual-pen';
import type { VirtualPenOptions } from '../virtual-pen';
import { GaugeStream } from './gauge-stream';
import { RealtimePacer } from './realtime-pacer';
import { SocatPty } from './socat-pty';

export interface SimPtyServerOptions extends VirtualPenOptions {
  /** Where the pen's serial port appears (a symlink to the PTY). */
  ptyPath: string;
  /** Where the gauge's serial port appears; none if omitted. */
  gaugePtyPath?: string;
  /** Virtual seconds per wall second (default 1). */
  speed?: number;
  /** Gauge streaming period, virtual s (default 0.1; 0: readings on request only). */
  gaugePeriodS?: number;
}

export class SimPtyServer {
  private failCbs: ((why: string) => void)[] = [];
  private closed = false;
  private failed = false;

  private constructor(
    readonly pen: VirtualPen,
    readonly consolePty: SocatPty,
    readonly gaugePty: SocatPty | undefined,
    readonly gauge: GaugeStream | undefined,
    readonly pacer: RealtimePacer,
  ) {
    consolePty.onExit((why) => this.fail(why));
    gaugePty?.onExit((why) => this.fail(why));
  }

  static async start(o: SimPtyServerOptions): Promise<SimPtyServer> {
    const pen = new VirtualPen(o);
    const consolePty = await SocatPty.open(o.ptyPath);
    let gaugePty: SocatPty | undefined;
    try {
      if (o.gaugePtyPath !== undefined) gaugePty = await SocatPty.open(o.gaugePtyPath);
    } catch (e) {
      await consolePty.close();
      throw e;
    }
    const board = pen.board;
    board.console.on('data', (b) => consolePty.write(b));
    // host bytes enter the console at the board's time (≤ one pacer tick behind the wall clock)
    consolePty.onData((d) => board.console.write(d));
    let gauge: GaugeStream | undefined;
    if (gaugePty) {
      const g = gaugePty;
      const hw = pen.hardware;
      gauge = new GaugeStream({
        read: () => hw.gauge.protrusionMm(), send: (l) => g.write(l), periodS: o.gaugePeriodS,
        strokes: (since) => hw.gauge.strokes(since), phantom: (p) => hw.conditions.setSkin(p),
      });
      const gs = gauge;
      g.onData((d) => gs.input(d));
    }
    let server: SimPtyServer | undefined;
    const pacer = new RealtimePacer(board, {
      speed: o.speed,
      onTick: (now) => gauge?.tick(now),
      onError: (e) => server?.fail(`simulation stopped: ${e instanceof Error ? e.message : String(e)}`),
    });
    server = new SimPtyServer(pen, consolePty, gaugePty, gauge, pacer);
    pen.powerOn();
    pacer.start();
    return server;
  }

  /** Called once if the server cannot go on (socat died, the simulation threw). */
  onFailure(cb: (why: string) => void): void {
    this.failCbs.push(cb);
  }

  private fail(why: string): void {
    if (this.closed || this.failed) return;
    this.failed = true;
    for (const f of this.failCbs) f(why);
  }

  /** Stop the simulation and remove the PTYs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pacer.stop();
    await Promise.all([this.consolePty.close(), this.gaugePty?.close()]);
  }

  /** Synchronous last resort (process 'exit'): kill socat, remove the links. */
  killNow(): void {
    this.closed = true;
    this.pacer.stop();
    this.consolePty.killNow();
    this.gaugePty?.killNow();
  }
}
