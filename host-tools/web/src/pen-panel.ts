// The pen panel: who the pen is (identity, firmware, calibration), how it is (state and the
// handset's LED pattern, warnings), its latched fault explained with what to do, and the
// actions that go with it: clear the fault in SERVICE mode (technician secret), or how a
// practitioner clears it on the handset.
import { STATE_NAMES, WARN_NAMES } from '@stipple/protocol';
import type { ReplyBody } from '@stipple/protocol';
import type { PenInfo } from '../../src/cli/info/read-pen-info';
import { PenError } from '../../src/link/errors';
import type { ConnectedPen } from './connected-pen';
import { byId, el, fillRows } from './dom';
import { faultAdvice, faultName } from './fault-advice';
import { LedView } from './led-view';
import type { MessageLog } from './message-log';
import { ntcCelsiusFromAdc, supplyVoltsFromAdc } from '@stipple/firmware/hal/analog-scaling';

export class PenPanel {
  private readonly identity = byId('identity');
  private readonly state = byId('pen-state');
  private readonly warn = byId('pen-warn');
  private readonly sensorsLine = byId('pen-sensors');
  private readonly faultBox = byId('fault-box');
  private readonly faultLog = byId('fault-log');
  private readonly led = new LedView(byId('led'), byId('led-pattern'));
  readonly secret = byId<HTMLInputElement>('secret');
  private pen: ConnectedPen | undefined;
  private s = { state: 0, fault: 0, warn: 0 };

  constructor(private readonly log: MessageLog) {
    byId('refresh').addEventListener('click', () => void this.pen?.refresh());
  }

  attach(pen: ConnectedPen | undefined): void {
    this.pen = pen;
    document.body.dataset.state = '';
    if (!pen) {
      this.identity.replaceChildren();
      this.state.textContent = 'not connected';
      this.warn.textContent = '';
      this.sensorsLine.textContent = '';
      this.faultBox.replaceChildren();
      this.faultLog.replaceChildren();
      this.led.off();
    }
  }

  info(i: PenInfo): void {
    const c = i.calibration;
    const cal = c.status === 'ok'
      ? `ok — ${c.date}${c.ageDays !== null ? `, ${c.ageDays} days old` : ''}${c.technician ? `, by ${c.technician}` : ''}${c.gaugeId ? ` with ${c.gaugeId}` : ''}`
      : c.status === 'missing' ? 'missing — the pen will not run until it is calibrated (below)' : 'corrupt — calibrate it again (below)';
    fillRows(this.identity, [
      ['serial', el('span', { id: 'pen-serial' }, i.serial)],
      ['firmware', `${i.firmware} (protocol ${i.protocol}, schema ${i.fingerprint})`],
      ['board, drive', `${i.board}, ${i.drive}`],
      ['calibration', el('span', { id: 'pen-calibration', 'data-status': c.status }, cal)],
      ['connected', i.port],
      ['counters', `${i.counters.strokes} strokes, ${(i.counters.runS / 3600).toFixed(1)} h, ${i.counters.faults} faults, ${i.counters.cartridges} cartridges`],
    ]);
    this.status(i.state);
    this.faultLog.replaceChildren(...i.faultLog.slice(-8).reverse().map((f) =>
      el('li', {}, `${f.name}${f.ctx ? ` (${f.ctx})` : ''} — ${f.date ?? `${f.t} s after boot`}`)));
  }

  status(st: ReplyBody<'status'>): void {
    this.show(STATE_NAMES.indexOf(st.state), st.fault, st.warn);
  }

  /** State, fault and warnings from a telemetry record or an event, between polls. */
  show(state: number, fault: number, warn: number): void {
    const changedFault = fault !== this.s.fault || !this.faultBox.hasChildNodes();
    this.s = { state, fault, warn };
    const name = STATE_NAMES[state] ?? `state ${state}`;
    this.state.textContent = name;
    document.body.dataset.state = name;
    this.warn.textContent = WARN_NAMES.filter((_, k) => warn & (1 << k)).join(', ');
    this.led.set(state, fault, warn);
    if (changedFault) this.renderFault(fault);
  }

  sensors(s: ReplyBody<'sensors'>): void {
    const t = ntcCelsiusFromAdc(s.ntc / 65535);
    const v = supplyVoltsFromAdc(s.vsupply / 65535);
    this.sensorsLine.textContent = `coil ${t.toFixed(1)} °C, supply ${v.toFixed(2)} V, cartridge ${s.cartridge ? 'seated' : 'out'}`;
  }

  private renderFault(code: number): void {
    const box = this.faultBox;
    box.dataset.fault = code ? faultName(code) : '';
    if (!code) {
      box.replaceChildren(el('p', { id: 'latched-fault', class: 'ok' }, 'No latched fault.'));
      return;
    }
    const a = faultAdvice(code);
    const name = faultName(code);
    const parts: (Node | string)[] = [
      el('p', { id: 'latched-fault', class: 'bad' }, `Latched fault: ${name}`),
      el('p', {}, `What happened: ${a.what}. The pen made itself safe (drive off, needle retracted) and stays stopped until a person clears it.`),
      el('p', {}, `What to do: ${a.todo}.`),
    ];
    if (a.needsCalibration) {
      parts.push(el('p', { class: 'hint' }, 'Only writing a valid calibration clears this fault: no button does.'));
    } else {
      const btn = el('button', { id: 'clear-fault' }, 'Clear it (technician, SERVICE mode)');
      btn.addEventListener('click', () => void this.clearFault(btn));
      parts.push(el('p', { class: 'hint' }, 'Once the cause is gone: a practitioner holds speed − and depth − together for 2 s on the handset; a technician clears it here with the pen\'s secret. The pen refuses while the cause persists.'), btn);
    }
    box.replaceChildren(...parts);
  }

  private async clearFault(btn: HTMLButtonElement): Promise<void> {
    const pen = this.pen;
    if (!pen) return;
    const secret = this.secret.value.trim();
    if (!secret) { this.log.error('clearing a fault needs the pen\'s technician secret (field "technician secret")'); return; }
    btn.disabled = true;
    const c = pen.client;
    try {
      await c.enterService(secret);
      try {
        await c.clearFaults();
        this.log.note('the latched fault was cleared');
      } finally {
        await c.leaveService().catch(() => undefined);
      }
    } catch (e) {
      const pe = e instanceof PenError ? e : undefined;
      if (pe?.code === 'NOT_ALLOWED') this.log.error(`the pen refused to clear the fault: its cause persists (${pe.message})`);
      else if (pe?.code === 'AUTH_FAILED') this.log.error('the pen refused the technician secret: use the one issued for this pen');
      else this.log.error(`clear fault: ${(e as Error).message}`);
    } finally {
      btn.disabled = false;
      await pen.refresh();
    }
  }
}
