// Guided calibration on the page: the library's calibratePen, the very procedure behind
// `stipple calibrate` (docs/calibration.md), with the page as its front end: the form,
// step-by-step progress, the technician's prompts (fixtures, typed dial readings), and the
// certificate at the end with the record, certificate and raw samples to download.
import { calibratePen } from '../../src/calibration/calibrate-pen';
import { CalibrationError } from '../../src/calibration/calibration-error';
import type { StepName } from '../../src/calibration/calibration-error';
import type { CalibrationReport } from '../../src/calibration/calibration-report';
import { certificateHtml } from '../../src/calibration/certificate-html';
import type { Gauge } from '../../src/calibration/gauge';
import { ManualGauge } from '../../src/calibration/manual-gauge';
import type { SampleLog } from '../../src/calibration/sample-log';
import type { ByteTransport } from '../../src/link/transport';
import type { ConnectedPen } from './connected-pen';
import { byId, el } from './dom';
import type { MessageLog } from './message-log';
import { PageTechnician } from './page-technician';
import { SimRigGauge } from './sim-rig-gauge';

const STEPS: [StepName, string][] = [
  ['precheck', 'pre-check'], ['sensor', 'sensor (in air)'], ['actuator', 'actuator'], ['stroke', 'stroke model'],
  ['gains', 'gains'], ['verify', 'verification (phantom)'], ['write', 'write'],
];

export class CalibrationPanel {
  private readonly form = byId<HTMLFormElement>('cal-form');
  private readonly gaugeSel = byId<HTMLSelectElement>('cal-gauge');
  private readonly startBtn = byId<HTMLButtonElement>('cal-start');
  private readonly abortBtn = byId<HTMLButtonElement>('cal-abort');
  private readonly steps = byId('cal-steps');
  private readonly detail = byId('cal-detail');
  private readonly logBox = byId('cal-log');
  private readonly result = byId('cal-result');
  private readonly status = byId('cal-status');
  private pen: ConnectedPen | undefined;
  private rig: ByteTransport | undefined;
  private ac: AbortController | undefined;
  private urls: string[] = [];

  constructor(private readonly log: MessageLog, private readonly secret: () => string, private readonly version: string) {
    this.form.addEventListener('submit', (e) => { e.preventDefault(); void this.start(); });
    this.abortBtn.addEventListener('click', () => this.ac?.abort());
    this.attach(undefined, undefined);
  }

  /** The pen to calibrate, and the virtual rig when it is the console's virtual pen. */
  attach(pen: ConnectedPen | undefined, rig: ByteTransport | undefined): void {
    this.ac?.abort();
    this.pen = pen;
    this.rig = rig;
    const simOpt = this.gaugeSel.querySelector<HTMLOptionElement>('option[value="sim"]')!;
    simOpt.disabled = !rig;
    this.gaugeSel.value = rig ? 'sim' : 'manual';
    this.startBtn.disabled = !pen;
  }

  get running(): boolean {
    return this.ac !== undefined;
  }

  private field(id: string): string {
    return byId<HTMLInputElement>(id).value.trim();
  }

  private async start(): Promise<void> {
    const pen = this.pen;
    if (!pen || this.ac) return;
    const technician = this.field('cal-technician');
    if (!/^[ -~]{1,32}$/.test(technician)) { this.log.error('calibration: type the technician\'s name (1 to 32 plain characters)'); return; }
    const secret = this.secret();
    if (!secret) { this.log.error(`calibration: SERVICE mode needs the pen's technician secret (serial ${pen.info?.serial})`); return; }
    const acceptanceUm = Number(this.field('cal-acceptance'));
    if (!(acceptanceUm > 0 && acceptanceUm <= 200)) { this.log.error('calibration: the acceptance must be 0…200 µm'); return; }
    const gaugeId = this.field('cal-gauge-id') || undefined;
    const useRig = this.gaugeSel.value === 'sim';
    if (useRig && !this.rig) { this.log.error('calibration: the sim gauge is the virtual pen\'s rig (stipple console --sim)'); return; }

    const ac = new AbortController();
    this.ac = ac;
    this.setBusy(true);
    this.logBox.textContent = '';
    this.result.replaceChildren();
    this.renderSteps(undefined, 0, '');
    const say = (line: string): void => { this.logBox.textContent += line + '\n'; this.logBox.scrollTop = this.logBox.scrollHeight; };
    const tech = new PageTechnician(ac.signal, say, useRig);
    const gauge: Gauge = useRig ? new SimRigGauge(this.rig!, tech, gaugeId) : new ManualGauge(tech, gaugeId);
    pen.pause(true);
    say(`calibrating ${pen.info?.serial} (${pen.info?.drive}, firmware ${pen.info?.fw}) with the ${gauge.kind} gauge ${gaugeId ?? gauge.id}`);
    let report: CalibrationReport | undefined;
    let samples: SampleLog | undefined;
    try {
      const r = await calibratePen({
        client: pen.client, run: (p) => p, gauge, secret, technician, gaugeId, tech, acceptanceUm,
        clearFaults: byId<HTMLInputElement>('cal-clear-faults').checked, write: byId<HTMLInputElement>('cal-write').checked,
        signal: ac.signal, onProgress: (e) => this.renderSteps(e.step, e.fraction, e.detail), onLog: say, tool: `stipple console ${this.version}`,
      });
      ({ report, samples } = r);
      this.status.textContent = `PASS: ${report.pen.serial} calibrated${report.write ? ' and written' : ' (not written)'} in ${report.deviceTimeS.toFixed(1)} s`;
      this.status.className = 'pass';
      this.log.note(`calibration of ${report.pen.serial} passed`);
    } catch (e) {
      const ce = e instanceof CalibrationError ? e : undefined;
      const partial = ce?.report as { report: CalibrationReport; samples: SampleLog } | undefined;
      report = partial?.report;
      samples = partial?.samples;
      const why = !ce ? `calibration failed: ${(e as Error).message}`
        : ce.aborted ? `calibration aborted during the ${ce.step} step${ce.step === 'write' ? '' : '; nothing was written'}`
          : `calibration failed at ${ce.step}: ${ce.message.split('\n')[0]}`;
      this.status.textContent = `FAIL: ${why}${ce && !ce.penSafe ? ' (could not confirm the pen stopped: it stops by itself within 150 ms)' : ''}`;
      this.status.className = 'fail';
      this.log.error(why);
    } finally {
      await gauge.close();
      this.ac = undefined;
      this.setBusy(false);
      byId('tech-prompt').replaceChildren();
      pen.pause(false);
      await pen.subscribe().catch(() => undefined); // verification unsubscribed telemetry
      await pen.refresh();
    }
    if (report && samples) this.showCertificate(report, samples);
  }

  private setBusy(busy: boolean): void {
    this.startBtn.disabled = busy || !this.pen;
    this.abortBtn.disabled = !busy;
    document.body.dataset.calibrating = busy ? 'true' : '';
    if (busy) { this.status.textContent = 'running…'; this.status.className = ''; }
  }

  private renderSteps(step: StepName | undefined, fraction: number, detail: string): void {
    const at = step ? STEPS.findIndex(([s]) => s === step) : -1;
    this.steps.replaceChildren(...STEPS.map(([s, name], i) => {
      const v = i < at ? 1 : i === at ? fraction : 0;
      return el('li', { 'data-step': s, class: i < at ? 'done' : i === at ? 'now' : '' }, el('span', {}, name), el('progress', { max: '1', value: String(v) }));
    }));
    this.detail.textContent = step ? `${step}: ${detail}` : '';
  }

  private showCertificate(report: CalibrationReport, samples: SampleLog): void {
    for (const u of this.urls) URL.revokeObjectURL(u);
    const stem = `${report.pen.serial}-${report.date.replace(/[:]/g, '').replace(/\..*$/, '')}${report.ok ? '' : '-FAILED'}`;
    const names = { json: `${stem}.json`, csv: `${stem}.csv`, html: `${stem}.html` };
    const html = certificateHtml(report, { json: names.json, csv: names.csv });
    const file = (name: string, text: string, type: string): HTMLAnchorElement => {
      const url = URL.createObjectURL(new Blob([text], { type }));
      this.urls.push(url);
      return el('a', { href: url, download: name }, name);
    };
    const frame = el('iframe', { id: 'certificate', title: 'calibration certificate', sandbox: '' });
    frame.srcdoc = html;
    this.result.replaceChildren(
      el('p', {}, 'Certificate, record and raw samples: ',
        file(names.html, html, 'text/html'), ' · ', file(names.json, JSON.stringify(report, null, 1) + '\n', 'application/json'), ' · ',
        file(names.csv, samples.toCsv(), 'text/csv')),
      frame,
    );
  }
}
