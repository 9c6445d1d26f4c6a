// The practitioner's handset: buttons and foot pedal, turned into pen actions.
//   run/stop short press: start or stop          run/stop held ≥ 1 s: e-stop, in every state
//   speed +/-: stroke rate ±5 /s                  depth +/-: depth ±0.05 mm (within the preset's range)
//   speed+ and depth+ together: next preset       speed- and depth- held together 2 s: clear fault
//   pedal: run while held, or toggle, per settings
import { Pen } from '../app/pen';
import { ButtonName } from '../app/pen-io';
import { STATE } from '../safety/fault-codes';
import { DEPTH_BUTTON_STEP_MM, RATE_BUTTON_STEP } from '../app/settings';

export const ESTOP_HOLD_S = 1.0;
export const CLEAR_HOLD_S = 2.0;

export class Handset {
  pen: Pen;
  private down: { [b: string]: number } = {};
  /** press time of each button held down now */
  /** the run press became an e-stop: ignore its release */
  private estopped = false;

  constructor(pen: Pen) {
    this.pen = pen;
  }

  /** A debounced button edge with its interrupt time stamp. */
  button(name: ButtonName, pressed: boolean, time: number): void {
    const pen = this.pen;
    if (pressed) {
      this.down[name] = time;
      pen.lastActivity = time; // a press wakes the idle LED
      if (name === 'run') this.estopped = false;
      if (name === 'pedal') {
        if (pen.prefs.pedal === 'hold') pen.start(false);
        else if (pen.supervisor.penState === STATE.RUNNING) pen.stop();
        else pen.start(false);
      }
      if ((name === 'speedUp' && this.down.depthUp !== undefined) || (name === 'depthUp' && this.down.speedUp !== undefined)) {
        pen.selectPreset((pen.prefs.preset + 1) % pen.presets.length);
        delete this.down.speedUp;
        delete this.down.depthUp;
      }
      return;
    }
    const since = this.down[name];
    delete this.down[name];
    if (since === undefined) return;
    const held = time - since;
    if (name === 'pedal') {
      if (pen.prefs.pedal === 'hold') pen.stop();
    } else if (name === 'run') {
      if (this.estopped) return;
      if (pen.supervisor.penState === STATE.RUNNING) pen.stop();
      else if (held < ESTOP_HOLD_S) pen.start(false);
    } else if ((name === 'speedDown' || name === 'depthDown') && this.clearHeld(name, since, time)) {
      pen.clearFault();
    } else if (held < CLEAR_HOLD_S) {
      if (name === 'speedUp') pen.nudgeRate(RATE_BUTTON_STEP);
      else if (name === 'speedDown') pen.nudgeRate(-RATE_BUTTON_STEP);
      else if (name === 'depthUp') pen.nudgeDepth(DEPTH_BUTTON_STEP_MM);
      else if (name === 'depthDown') pen.nudgeDepth(-DEPTH_BUTTON_STEP_MM);
    }
  }

  /** Both "-" buttons held together for CLEAR_HOLD_S. */
  private clearHeld(name: ButtonName, since: number, time: number): boolean {
    const other = this.down[name === 'speedDown' ? 'depthDown' : 'speedDown'];
    if (other === undefined) return false;
    const together = time - Math.max(since, other);
    if (together < CLEAR_HOLD_S) return false;
    delete this.down.speedDown;
    delete this.down.depthDown;
    return true;
  }

  /** 8 Hz: the run button held long enough is an e-stop, whatever the state. */
  poll(now: number): void {
    const t = this.down.run;
    if (t !== undefined && !this.estopped && now - t >= ESTOP_HOLD_S) {
      this.estopped = true;
      this.pen.estop();
    }
  }
}
