// `stipple bench --mqtt`: the bridge under a fleet's load, measured. A real `stipple
// bridge` process serves `pens` virtual pens (bench build, run by their virtual bench
// rigs at the wall clock's pace, a fault every 30 s of running) into mosquitto (started
// here on a free loopback port unless `brokerUrl` names a broker); a subscriber in this
// process takes everything (QoS 1) and measures, over `seconds` after the pens are up:
// messages/s, publish-to-receive latency (payload `ts`, stamped by the bridge as it hands
// the message over, to arrival here; same machine, same clock), and the bridge process's
// CPU and memory from its own stats lines. The virtual pens live in the bridge process, so
// its CPU includes them: `simBoardPct` is the share of the time spent inside the virtual
// boards, and `simLagS` says whether the simulation kept up with the wall clock.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'mqtt';
import { TopicScheme } from '@stipple/protocol';
import { MosquittoProcess } from './mosquitto-process';

export interface MqttBenchOptions {
  pens: number;
  /** Measurement window after every pen is online, wall seconds. */
  seconds: number;
  /** Before the window, once every pen is online, s (default 2). */
  warmUpS?: number;
  /** Broker to use (default: a mosquitto started for the bench). */
  brokerUrl?: string;
  /** Also publish every per-stroke record (default true: the bridge's heaviest configuration). */
  rawStrokes?: boolean;
  /** Progress lines for a person watching. */
  onProgress?: (line: string) => void;
  /** During the window, several times a second: seconds measured so far. */
  onWindow?: (doneS: number, totalS: number) => void;
}

export interface MqttBenchResult {
  pens: number;
  /** Pens online at the start of the window. */
  pensOnline: number;
  seconds: number;
  broker: string;
  /** Every message the subscriber received in the window. */
  messages: number;
  messagesPerS: number;
  /** Of which QoS 1 (status, faults, info, counters, calibration, bridge status). */
  qos1PerS: number;
  /** Telemetry summaries per second (one per pen per virtual second). */
  telemetryPerS: number;
  /** Per-stroke records per second (rawStrokes). */
  strokeRecordsPerS: number;
  latencyMs: { p50: number; p99: number; max: number; samples: number };
  /** The bridge process's CPU, % of one core (it hosts the virtual pens too). */
  bridgeCpuPct: number;
  /** Wall time spent inside the virtual boards (the simulated pens' firmware and hardware), % of the window: most of the process's work. */
  simBoardPct: number;
  /** Largest resident set of the bridge process during the window, MB. */
  bridgeRssMb: number;
  /** How far the slowest virtual pen fell behind the wall clock over the window, s (0: the simulation kept up). */
  simLagS: number;
  telemetryDropped: number;
  queuePending: number;
  command: string;
}

interface StatsLine {
  event: string;
  pensOnline: number;
  cpuPct: number;
  rssMb: number;
  simBoardMs: number;
  simVirtualS: number | null;
  telemetryDropped: number;
  queue: { pending: number };
}

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'firmware', 'build.mjs')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (x: number, d = 1): number => Number(x.toFixed(d));

export async function runMqttBench(opts: MqttBenchOptions): Promise<MqttBenchResult> {
  const note = opts.onProgress ?? (() => undefined);
  const mosquitto = opts.brokerUrl ? undefined : await MosquittoProcess.start();
  const url = opts.brokerUrl ?? mosquitto!.url;
  const prefix = `stipple-bench-${randomUUID().slice(0, 8)}`;
  const topics = new TopicScheme(prefix);
  const stateDir = mkdtempSync(path.join(tmpdir(), 'stipple-mqtt-bench-'));
  const args = [
    path.join(repoRoot(), 'host-tools', 'bin', 'stipple.js'), 'bridge', '--sim-pens', String(opts.pens), '--variant', 'bench',
    '--sim-speed', '1', '--broker', url, '--prefix', prefix, '--bridge-id', prefix, '--state-dir', stateDir, '--json', '--stats-every', '1',
    ...(opts.rawStrokes !== false ? ['--raw-strokes'] : []),
  ];
  const sub = connect(url, { clientId: `${prefix}-sub`, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  let window: { from: number; to: number } | undefined;
  let messages = 0;
  let qos1 = 0;
  let telemetry = 0;
  let strokes = 0;
  const latencies: number[] = [];
  sub.on('message', (topic, buf, packet) => {
    const at = performance.timeOrigin + performance.now();
    if (!window || at < window.from || at > window.to || packet.retain) return;
    messages++;
    if (packet.qos === 1) qos1++;
    const leaf = topics.parsePen(topic)?.leaf;
    if (leaf === 'telemetry') telemetry++;
    else if (leaf === 'telemetry/strokes') strokes++;
    try {
      const ts = (JSON.parse(buf.toString('utf8')) as { ts?: unknown }).ts;
      if (typeof ts === 'number') latencies.push(at - ts);
    } catch {
      // not ours to judge: counted, no latency
    }
  });
  await new Promise<void>((resolve, reject) => { sub.once('connect', () => resolve()); sub.once('error', reject); });
  await sub.subscribeAsync(topics.all(), { qos: 1 });

  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stats: (StatsLine & { at: number })[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout!.on('data', (b: Buffer) => {
    buffered += b.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const l of lines) {
      if (!l.startsWith('{')) continue;
      const e = JSON.parse(l) as StatsLine;
      if (e.event === 'stats') stats.push({ ...e, at: Date.now() });
    }
  });
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  try {
    note(`bridge pid ${child.pid}: ${opts.pens} virtual pens (bench build) → ${url}`);
    const upBy = Date.now() + 60000 + opts.pens * 500;
    while (!(stats.at(-1)?.pensOnline === opts.pens)) {
      if (child.exitCode !== null) throw new Error(`the bridge exited (${child.exitCode}): ${stderr.trim().split('\n')[0] ?? ''}`);
      if (Date.now() > upBy) throw new Error(`only ${stats.at(-1)?.pensOnline ?? 0} of ${opts.pens} pens online after ${Math.round((Date.now() - upBy) / 1000 + 60 + opts.pens / 2)} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const pensOnline = stats.at(-1)!.pensOnline;
    const warmUpS = opts.warmUpS ?? 2;
    note(`${pensOnline} pens online; warming up ${warmUpS} s, then measuring ${opts.seconds} s`);
    await new Promise((r) => setTimeout(r, warmUpS * 1000));
    const now = performance.timeOrigin + performance.now();
    window = { from: now, to: now + opts.seconds * 1000 };
    const firstStat = stats.length;
    const tick = setInterval(() => opts.onWindow?.(Math.min(opts.seconds, (performance.timeOrigin + performance.now() - now) / 1000), opts.seconds), 200);
    await new Promise((r) => setTimeout(r, opts.seconds * 1000 + 1100)); // the stats line after the window too
    clearInterval(tick);
    const inWindow = stats.slice(Math.max(0, firstStat - 1));
    const a = inWindow[0]!;
    const b = inWindow.at(-1)!;
    const wallS = (b.at - a.at) / 1000;
    const cpu = inWindow.slice(1);
    latencies.sort((x, y) => x - y);
    return {
      pens: opts.pens,
      pensOnline,
      seconds: opts.seconds,
      broker: opts.brokerUrl ?? `mosquitto (started for the bench, ${url})`,
      messages,
      messagesPerS: round(messages / opts.seconds),
      qos1PerS: round(qos1 / opts.seconds),
      telemetryPerS: round(telemetry / opts.seconds),
      strokeRecordsPerS: round(strokes / opts.seconds),
      latencyMs: { p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2), max: round(latencies.at(-1) ?? NaN, 2), samples: latencies.length },
      bridgeCpuPct: round(cpu.reduce((s, x) => s + x.cpuPct, 0) / Math.max(1, cpu.length)),
      simBoardPct: round(wallS > 0 ? ((b.simBoardMs - a.simBoardMs) / (wallS * 1000)) * 100 : NaN),
      bridgeRssMb: round(Math.max(...cpu.map((x) => x.rssMb), a.rssMb)),
      simLagS: round(Math.max(0, wallS - ((b.simVirtualS ?? 0) - (a.simVirtualS ?? 0))), 2),
      telemetryDropped: b.telemetryDropped,
      queuePending: b.queue.pending,
      command: `node ${args.map((x) => (x === stateDir ? '<tmp>' : x)).join(' ')}`,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'slow'>((r) => setTimeout(() => r('slow'), 10000).unref())]);
    if (code === 'slow') child.kill('SIGKILL');
    await sub.endAsync(true).catch(() => undefined);
    await mosquitto?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The figures as a person reads them. */
export function renderMqttBench(r: MqttBenchResult): string {
  const rows: [string, string][] = [
    ['pens', `${r.pensOnline}/${r.pens} online (virtual, bench build, bench rigs)`],
    ['broker', r.broker],
    ['window', `${r.seconds} s`],
    ['messages/s', `${r.messagesPerS} (QoS 1 ${r.qos1PerS}, summaries ${r.telemetryPerS}, stroke records ${r.strokeRecordsPerS})`],
    ['latency', `p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms (${r.latencyMs.samples} messages, publish to receive)`],
    ['bridge CPU', `${r.bridgeCpuPct} % of a core (with the virtual pens; ${r.simBoardPct} % of the time inside their boards)`],
    ['bridge memory', `${r.bridgeRssMb} MB resident`],
    ['simulation', r.simLagS > 0.5 ? `fell ${r.simLagS} s behind the wall clock: fewer messages than ${r.pens} real pens would send` : 'kept up with the wall clock'],
    ['dropped/queued', `${r.telemetryDropped} telemetry dropped, ${r.queuePending} queued`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return ['stipple bench --mqtt', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`), `  ${'command'.padEnd(w)}  ${r.command}`].join('\n');
}
