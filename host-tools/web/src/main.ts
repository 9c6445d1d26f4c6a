// The web console page (docs/console.md): connects to a pen over the console server's
// WebSocket (the pen it serves: virtual, or on its serial port) or over Web Serial / Web
// Bluetooth through @espruino-tools/core, and puts the panels on it: the pen, live plots,
// the virtual handset (virtual pens only) and the guided calibration.
import './console.css';
import { FAULT_NAMES } from '@stipple/protocol';
import type { ByteTransport } from '../../src/link/transport';
import type { ClientMessage } from '../../src/console/console-messages';
import { CalibrationPanel } from './calibration-panel';
import { ConnectedPen } from './connected-pen';
import type { PenListener } from './connected-pen';
import { ConsoleSocket } from './console-socket';
import { byId } from './dom';
import { EspruinoTransport } from './espruino-transport';
import { HandsetPanel } from './handset-panel';
import { LivePlots } from './live-plots';
import { MessageLog } from './message-log';
import { PenPanel } from './pen-panel';

declare const STIPPLE_VERSION: string;

const log = new MessageLog();
const plots = new LivePlots();
const penPanel = new PenPanel(log);
const handset = new HandsetPanel();
const calibration = new CalibrationPanel(log, () => penPanel.secret.value.trim(), STIPPLE_VERSION);
const buttons = {
  server: byId<HTMLButtonElement>('connect-server'), espruino: byId<HTMLButtonElement>('connect-espruino'),
  cancel: byId<HTMLButtonElement>('connect-cancel'), disconnect: byId<HTMLButtonElement>('disconnect'),
};
const linkStatus = byId('link-status');

let pen: ConnectedPen | undefined;
let socket: ConsoleSocket | undefined;
let lastFault = 0;

const listener: PenListener = {
  info: (i) => { lastFault = i.state.fault; penPanel.info(i); },
  status: (s) => { lastFault = s.fault; penPanel.status(s); },
  sensors: (s) => { penPanel.sensors(s); plots.sensors(s); },
  telemetry: (r) => {
    plots.telemetry(r);
    if (r.state !== undefined) penPanel.show(r.state, r.fault ?? lastFault, r.warn ?? 0);
  },
  event: (e) => {
    if (e.id === 'fault') log.error(`fault latched: ${FAULT_NAMES[e.body.code] ?? e.body.code}${e.body.ctx ? ` (${e.body.ctx})` : ''}`);
    else if (e.id === 'warn') log.note(`warning: ${e.body.code}${e.body.ctx ? ` (${e.body.ctx})` : ''}`);
  },
  problem: (t) => log.error(t),
};

function setLink(text: string, connected: boolean, kind = ''): void {
  linkStatus.textContent = text;
  document.body.dataset.connected = String(connected);
  document.body.dataset.link = kind;
  buttons.server.disabled = buttons.espruino.disabled = connected;
  buttons.disconnect.disabled = !connected;
}

async function start(transport: ByteTransport, label: string, kind: string, rig?: ByteTransport, hands?: (m: ClientMessage) => void): Promise<void> {
  plots.reset();
  const p = new ConnectedPen(transport, label, listener);
  pen = p;
  penPanel.attach(p);
  try {
    const info = await p.open();
    calibration.attach(p, rig);
    handset.attach(hands);
    setLink(`connected: ${info.serial} over ${label}`, true, kind);
  } catch (e) {
    await stop();
    throw e;
  }
}

async function stop(why?: string): Promise<void> {
  const p = pen;
  pen = undefined;
  calibration.attach(undefined, undefined);
  handset.attach(undefined);
  penPanel.attach(undefined);
  await p?.close().catch(() => undefined);
  socket?.close();
  socket = undefined;
  setLink(why ? `disconnected: ${why}` : 'not connected', false);
}

async function connectServer(): Promise<void> {
  const s = await ConsoleSocket.open(ConsoleSocket.url(), (t) => log.error(t));
  socket = s;
  const h = s.hello;
  s.onClose((why) => { if (socket === s) { log.error(`link lost: ${why}`); void stop(why); } });
  s.onHandset((st) => handset.update(st));
  if (h.sim) penPanel.secret.value = h.sim.secret; // as `--port sim` knows its virtual pen's secret
  const label = h.sim ? `the virtual pen of ${h.tool}` : `${h.port} (served by ${h.tool})`;
  await start(s.channel('pen'), label, 'websocket', h.sim ? s.channel('gauge') : undefined, h.sim ? (m) => s.send(m) : undefined);
}

async function connectEspruino(): Promise<void> {
  const ac = new AbortController();
  buttons.cancel.hidden = false;
  buttons.cancel.onclick = () => ac.abort();
  let t: EspruinoTransport;
  try {
    t = await EspruinoTransport.connect(ac.signal);
  } finally {
    buttons.cancel.hidden = true;
  }
  t.onClose(() => { if (pen?.transport === t) { log.error('link lost: the serial port or Bluetooth device went away'); void stop('port closed'); } });
  await start(t, 'Web Serial / Web Bluetooth (@espruino-tools/core)', 'espruino-tools');
}

function guarded(f: () => Promise<void>): () => void {
  return () => {
    buttons.server.disabled = buttons.espruino.disabled = true;
    f().catch((e: Error) => { log.error(`connect: ${e.message}`); setLink('not connected', false); });
  };
}

buttons.server.addEventListener('click', guarded(connectServer));
buttons.espruino.addEventListener('click', guarded(connectEspruino));
buttons.disconnect.addEventListener('click', () => {
  if (calibration.running && !confirm('A calibration is running: abort it and disconnect?')) return;
  void stop();
});
setLink('not connected', false);
