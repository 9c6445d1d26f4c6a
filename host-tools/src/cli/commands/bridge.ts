// `stipple bridge`: publish pens to MQTT (docs/mqtt.md). Pens: --port (repeatable: a
// serial port, a PTY, or "sim"), --ports auto, --sim-pens N. Broker: --broker URL, else an
// embedded Aedes on localhost. Credentials only from the environment or a file.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Command } from 'commander';
import { prefixProblem, DEFAULT_TOPIC_PREFIX, TLM_EVERY_MAX, TLM_EVERY_MIN } from '@stipple/protocol';
import { AutoPorts } from '../../bridge/auto-ports';
import type { BridgeLog, LogLevel } from '../../bridge/bridge-log';
import { brokerUrlProblem, CredentialsError, PASSWORD_ENV, readCredentials, USERNAME_ENV } from '../../bridge/credentials';
import { DEFAULT_MQTT_PORT, EmbeddedBroker } from '../../bridge/embedded-broker';
import { FleetBridge } from '../../bridge/fleet-bridge';
import type { MqttVersionChoice } from '../../bridge/mqtt-link';
import { SerialPenPort } from '../../bridge/pen-port';
import type { PenPort } from '../../bridge/pen-port';
import { SimPenPort } from '../../bridge/sim/sim-pen-port';
import { defaultStateDir } from '../../bridge/state-dir';
import { CliError, colour } from '../output';
import { parseSeed, parseSimVariant, SIM_VARIANTS } from '../port/sim-pen-options';
import { ProgressBar } from '../progress';

interface BridgeCliOptions {
  port: string[];
  ports?: string;
  simPens?: string;
  seed: string;
  variant: string;
  simSpeed: string;
  simFaultEvery: string;
  broker?: string;
  listen: string;
  prefix: string;
  bridgeId?: string;
  stateDir?: string;
  queueLimit: string;
  mqttVersion: string;
  ca?: string;
  cert?: string;
  key?: string;
  credentialsFile?: string;
  rawStrokes?: boolean;
  every: string;
  duration?: string;
  statsEvery: string;
  json?: boolean;
}

const collect = (v: string, all: string[]): string[] => [...all, v];

/** A number option: finite, ≥ min (> 0 unless zero is allowed), whole if asked. */
function numberOption(name: string, s: string, o: { integer?: boolean; min?: number; zero?: boolean } = {}): number {
  const n = Number(s);
  const ok = s.trim() !== '' && Number.isFinite(n) && (!o.integer || Number.isInteger(n)) && (o.min !== undefined ? n >= o.min : o.zero ? n >= 0 : n > 0);
  if (!ok) throw new CliError(`${name} must be a ${o.integer ? 'whole ' : ''}number ${o.min !== undefined ? `≥ ${o.min}` : o.zero ? '≥ 0' : '> 0'} (got "${s}")`);
  return n;
}

function readFile(what: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

function defaultBridgeId(): string {
  return hostname().replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64) || 'bridge';
}

/** Log lines: text on stdout (warnings in colour), or one JSON object per line. */
function makeLog(json: boolean): BridgeLog {
  return (level: LogLevel, event: string, msg: string, fields?: Record<string, unknown>) => {
    if (json) {
      process.stdout.write(JSON.stringify({ t: new Date().toISOString(), level, event, msg, ...fields }) + '\n');
      return;
    }
    const paint = level === 'error' ? colour.bad : level === 'warn' ? colour.warn : (s: string) => s;
    process.stdout.write(`${colour.dim(new Date().toISOString().slice(11, 19))} ${paint(msg)}\n`);
  };
}

/** The pen ports the options name, virtual pens numbered from --seed. */
function penPorts(o: BridgeCliOptions, speed: number, faultEveryS: number): PenPort[] {
  const variant = parseSimVariant(o.variant);
  let seed = parseSeed(o.seed);
  const sim = (s: number): PenPort => new SimPenPort({ seed: s, variant, speed, use: { faultEveryS: faultEveryS || undefined }, sliceS: 0.02 });
  const ports: PenPort[] = [];
  for (const p of o.port) {
    const m = /^sim(?::(\d+))?$/.exec(p);
    if (!m) ports.push(new SerialPenPort(p));
    else if (m[1] !== undefined) ports.push(sim(parseSeed(m[1])));
    else ports.push(sim(seed++));
  }
  const n = o.simPens === undefined ? 0 : numberOption('--sim-pens', o.simPens, { integer: true, min: 1 });
  for (let k = 0; k < n; k++) ports.push(sim(seed++));
  const names = ports.map((p) => p.name);
  const dup = names.find((x, i) => names.indexOf(x) !== i);
  if (dup) throw new CliError(`${dup} is named twice`);
  return ports;
}

export function registerBridge(program: Command): void {
  program.command('bridge')
    .description('publish pens to an MQTT broker (docs/mqtt.md): status, info, telemetry, faults, counters, calibration')
    .option('--port <port>', 'a pen: serial port path, a PTY made by `stipple sim --pty`, or "sim" (a virtual pen; sim:<seed> for a given seed); repeat for more', collect, [])
    .option('--ports <mode>', '"auto": every Espruino-looking serial port, now and when plugged in later')
    .option('--sim-pens <n>', 'add n virtual pens (seeds from --seed)')
    .option('--seed <n>', 'seed of the first virtual pen', '1')
    .option('--variant <v>', `virtual pens: ${SIM_VARIANTS.join(' | ')} (voiceCoil: calibrated at start, used on the pedal; bench: run by a bench rig)`, 'voiceCoil')
    .option('--sim-speed <x>', 'virtual pens: virtual seconds per wall second', '1')
    .option('--sim-fault-every <s>', 'virtual pens: a fault after this many seconds of running (0: none)', '30')
    .option('--broker <url>', 'mqtt://, mqtts://, ws:// or wss:// URL of the broker (default: an embedded broker on localhost)')
    .option('--listen <port>', 'port of the embedded broker (0: any free port)', String(DEFAULT_MQTT_PORT))
    .option('--prefix <prefix>', 'topic prefix, e.g. acme/clinic-3/stipple for a shared broker', DEFAULT_TOPIC_PREFIX)
    .option('--bridge-id <id>', 'name of this bridge in topics and its client id (default: the host name)')
    .option('--state-dir <dir>', 'where the on-disk queue lives (default ~/.local/state/stipple/bridge-<id>)')
    .option('--queue-limit <n>', 'most fault/status messages kept on disk while the broker is away', '10000')
    .option('--mqtt-version <v>', 'auto | 5 | 3.1.1 (auto: 5, or 3.1.1 if the broker refuses 5)', 'auto')
    .option('--ca <file>', 'CA certificate (PEM) the broker\'s certificate must chain to (mqtts/wss)')
    .option('--cert <file>', 'client certificate (PEM) for brokers that ask for one')
    .option('--key <file>', 'private key (PEM) of --cert')
    .option('--credentials-file <file>', `file of ${USERNAME_ENV}=… and ${PASSWORD_ENV}=… lines (default: those environment variables)`)
    .option('--raw-strokes', 'also publish every pen telemetry record with per-stroke depths on …/telemetry/strokes')
    .option('--every <strokes>', 'strokes per pen telemetry record', '20')
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)')
    .option('--stats-every <s>', 'print the bridge\'s figures this often', '60')
    .option('--json', 'log one JSON object per line')
    .action(async (o: BridgeCliOptions) => {
      const json = !!o.json;
      const log = makeLog(json);
      if (o.ports !== undefined && o.ports !== 'auto') throw new CliError(`--ports takes only "auto" (got "${o.ports}")`);
      const speed = numberOption('--sim-speed', o.simSpeed);
      const faultEvery = numberOption('--sim-fault-every', o.simFaultEvery, { zero: true });
      const ports = penPorts(o, speed, faultEvery);
      if (ports.length === 0 && o.ports !== 'auto') throw new CliError('no pens: give --port P (repeatable), --ports auto or --sim-pens N');
      const every = numberOption('--every', o.every, { integer: true, min: TLM_EVERY_MIN });
      if (every > TLM_EVERY_MAX) throw new CliError(`--every must be ${TLM_EVERY_MIN}…${TLM_EVERY_MAX} (got "${o.every}")`);
      const queueLimit = numberOption('--queue-limit', o.queueLimit, { integer: true, min: 1 });
      const statsEvery = numberOption('--stats-every', o.statsEvery);
      const durationS = o.duration === undefined ? undefined : numberOption('--duration', o.duration);
      if (!['auto', '5', '3.1.1'].includes(o.mqttVersion)) throw new CliError(`--mqtt-version must be auto, 5 or 3.1.1 (got "${o.mqttVersion}")`);
      const prefixWhy = prefixProblem(o.prefix);
      if (prefixWhy) throw new CliError(`--prefix ${prefixWhy}`);
      const bridgeId = o.bridgeId ?? defaultBridgeId();
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(bridgeId)) throw new CliError(`--bridge-id must be 1-64 of A-Z a-z 0-9 . _ - (got "${bridgeId}")`);
      let credentials;
      try {
        credentials = readCredentials({ file: o.credentialsFile });
      } catch (e) {
        throw new CliError(e instanceof CredentialsError ? e.message : String(e));
      }
      const tls = { ca: readFile('the CA certificate', o.ca), cert: readFile('the client certificate', o.cert), key: readFile('the client key', o.key) };
      if ((tls.cert === undefined) !== (tls.key === undefined)) throw new CliError('--cert and --key go together');

      let broker: EmbeddedBroker | undefined;
      let url: string;
      if (o.broker !== undefined) {
        const problem = brokerUrlProblem(o.broker);
        if (problem) throw new CliError(`--broker: ${problem}`);
        url = o.broker;
        if ((tls.ca || tls.cert) && !/^(mqtts|wss|tls):/.test(url)) throw new CliError('--ca/--cert/--key need an mqtts:// or wss:// broker URL');
      } else {
        if (tls.ca || tls.cert || credentials.username) throw new CliError('--ca/--cert/--key and credentials are for a broker given with --broker (the embedded one listens on localhost only, without TLS or passwords)');
        const listen = Number(o.listen);
        if (!Number.isInteger(listen) || listen < 0 || listen > 65535) throw new CliError(`--listen must be a port number (got "${o.listen}")`);
        try {
          broker = await EmbeddedBroker.start({ port: listen });
        } catch (e) {
          throw new CliError(`embedded broker: ${(e as Error).message}`);
        }
        url = broker.url;
        log('info', 'embedded-broker', `no --broker given: started an embedded MQTT broker (Aedes, MQTT 3.1.1, this machine only) on ${url}`, { url });
        if (!json) log('info', 'watch-hint', `watch it with: mosquitto_sub -h localhost -p ${broker.port} -t '${o.prefix}/#' -v`);
      }
      if (credentials.warning) log('warn', 'credentials-file', credentials.warning);

      const stateDir = o.stateDir ?? defaultStateDir(bridgeId);
      let bridge: FleetBridge;
      try {
        bridge = new FleetBridge({
          brokerUrl: url, bridgeId, prefix: o.prefix, stateDir, queueLimit, mqttVersion: o.mqttVersion as MqttVersionChoice,
          username: credentials.username, password: credentials.password, ...tls, tlmEvery: every, rawStrokes: !!o.rawStrokes, log,
        });
      } catch (e) {
        await broker?.close();
        throw new CliError((e as Error).message);
      }
      log('info', 'bridge-start', `bridge ${bridgeId} → ${url} (topics ${o.prefix}/v1/…, queue in ${stateDir}${credentials.username ? `, user from ${credentials.source}` : ''})`, { bridge: bridgeId, url, stateDir, ports: ports.map((p) => p.name) });
      bridge.start(ports);
      const auto = o.ports === 'auto' ? new AutoPorts((p) => bridge.hasPort(p), (p) => bridge.addPort(new SerialPenPort(p)), log) : undefined;
      auto?.start();

      // pens can take a while to come up (a virtual pen is calibrated first): a bar on a terminal
      const bar = new ProgressBar('pens online', { unit: (n) => String(n) });
      const barTimer = setInterval(() => {
        const online = bridge.stats().pensOnline;
        bar.update(online, ports.length);
        if (online >= ports.length) { bar.finish(); clearInterval(barTimer); }
      }, 100);

      const cpu0 = { usage: process.cpuUsage(), at: Date.now() };
      const statsTimer = setInterval(() => {
        const used = process.cpuUsage(cpu0.usage);
        const wallMs = Date.now() - cpu0.at;
        cpu0.usage = process.cpuUsage();
        cpu0.at = Date.now();
        const sims = ports.filter((p): p is SimPenPort => p instanceof SimPenPort && !!p.session);
        const st = bridge.stats();
        const fig = {
          ...st,
          cpuPct: Number((((used.user + used.system) / 1000 / wallMs) * 100).toFixed(1)),
          rssMb: Number((process.memoryUsage().rss / 1e6).toFixed(1)),
          simBoardMs: Math.round(sims.reduce((a, p) => a + p.session!.link.stats.boardMs, 0)),
          simVirtualS: sims.length ? Number(Math.min(...sims.map((p) => p.session!.link.now)).toFixed(1)) : null,
        };
        if (json) log('info', 'stats', 'figures', fig);
        else log('info', 'stats', `${st.pensOnline}/${st.ports} pens online, ${st.connected ? 'connected' : 'NOT connected'} (MQTT ${st.mqtt}), queue ${st.queue.pending}/${st.queue.limit} (${st.queue.overflowed} overflowed), ${st.telemetryDropped} telemetry dropped, cpu ${fig.cpuPct} %, rss ${fig.rssMb} MB`);
      }, statsEvery * 1000);

      let interrupt: (why: string) => void = () => undefined;
      const ended = new Promise<string>((r) => { interrupt = r; });
      let signals = 0;
      const onSignal = (sig: string): void => {
        if (++signals > 1) process.exit(130); // a second Ctrl-C: now
        interrupt(sig);
      };
      const onInt = (): void => onSignal('SIGINT');
      const onTerm = (): void => onSignal('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      const durationTimer = durationS === undefined ? undefined : setTimeout(() => interrupt('duration'), durationS * 1000);
      const why = await ended;
      clearInterval(barTimer);
      clearInterval(statsTimer);
      if (durationTimer) clearTimeout(durationTimer);
      bar.finish();
      auto?.stop();
      log('info', 'bridge-stop', `stopping (${why === 'duration' ? 'after --duration' : why}): pens offline, bridge offline, disconnect`);
      await bridge.close();
      await broker?.close();
      const st = bridge.stats();
      log('info', 'bridge-stopped', `stopped: ${st.acknowledged} QoS 1 messages acknowledged, ${st.telemetrySent} telemetry sent, ${st.telemetryDropped} dropped, ${st.queue.pending} left queued on disk`, { ...st });
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // virtual pens' timers and MQTT.js may keep the loop alive a while: the bridge is done
      process.exit(0);
    });
}
