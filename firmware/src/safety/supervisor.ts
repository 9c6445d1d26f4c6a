// The safety supervisor: the pen's state machine and its latched faults.
// A fault makes the pen safe at once (the `makeSafe` hook: drive off, needle retracted),
// is logged with its context, and stays latched until a person clears it.
import { FAULT, STATE, faultNeedsTechnician } from './fault-codes';

export interface FaultEntry {
  /** fault code */
  c: number;
  /** seconds since boot */
  t: number;
  /** context: the figures that tripped it */
  x: string;
}

export const FAULT_LOG_SIZE = 16;

export interface SupervisorHooks {
  makeSafe(): void;
  changed(state: number, fault: number): void;
  /** a fault latched (also a second one while latched): code, seconds since boot, context */
  latched(code: number, t: number, ctx: string): void;
}

export class Supervisor {
  state = STATE.BOOT;
  fault = FAULT.NONE;
  log: FaultEntry[] = [];
  faultCount = 0;
  calibrated = false;
  cartridge = false;
  private hooks: SupervisorHooks;

  constructor(hooks: SupervisorHooks) {
    this.hooks = hooks;
  }

  /** Why the pen may not run now, or '' when it may. */
  blocker(): string {
    if (this.state === STATE.FAULT) return 'fault latched';
    if (!this.calibrated) return 'not calibrated';
    if (!this.cartridge) return 'no cartridge';
    return '';
  }

  private set(state: number): void {
    if (state === this.state) return;
    this.state = state;
    this.hooks.changed(this.state, this.fault);
  }

  /** Settle IDLE/READY from the current conditions (not in RUNNING, FAULT or SERVICE). */
  evaluate(): void {
    if (this.state === STATE.RUNNING || this.state === STATE.FAULT || this.state === STATE.SERVICE) return;
    this.set(this.blocker() === '' ? STATE.READY : STATE.IDLE);
  }

  /** Latch a fault: safe first, then record. A second fault while latched is logged too. */
  latch(code: number, now: number, context: string): void {
    this.hooks.makeSafe();
    this.log.push({ c: code, t: Math.round(now * 1000) / 1000, x: context });
    if (this.log.length > FAULT_LOG_SIZE) this.log.shift();
    this.faultCount++;
    this.hooks.latched(code, now, context);
    if (this.state !== STATE.FAULT) {
      this.fault = code;
      this.state = STATE.FAULT;
      this.hooks.changed(this.state, this.fault);
    }
  }

  /** RUNNING if allowed; returns the blocker otherwise. */
  run(): string {
    const why = this.state === STATE.SERVICE ? '' : this.blocker();
    if (why) return why;
    if (this.state === STATE.SERVICE) return '';
    this.set(STATE.RUNNING);
    return '';
  }

  stop(): void {
    if (this.state === STATE.RUNNING) {
      this.state = STATE.IDLE;
      this.evaluate();
      if (this.state === STATE.IDLE) this.hooks.changed(this.state, this.fault);
    }
  }

  /**
   * A person clears the fault. Faults caused by a missing or corrupt calibration clear only
   * once a valid calibration exists. Returns '' when cleared, else why not.
   */
  clear(): string {
    if (this.fault === FAULT.NONE) return 'no fault latched';
    if (faultNeedsTechnician(this.fault) && !this.calibrated) return 'needs a technician: calibrate the pen';
    this.fault = FAULT.NONE;
    if (this.state === STATE.SERVICE) {
      // a technician cleared it in SERVICE: stay there
      this.hooks.changed(this.state, this.fault);
      return '';
    }
    this.state = STATE.IDLE;
    this.evaluate();
    this.hooks.changed(this.state, this.fault);
    return '';
  }

  enterService(): string {
    if (this.state === STATE.RUNNING) return 'stop the run first';
    this.hooks.makeSafe();
    this.set(STATE.SERVICE);
    return '';
  }

  leaveService(): void {
    if (this.state !== STATE.SERVICE) return;
    this.hooks.makeSafe();
    this.state = this.fault !== FAULT.NONE ? STATE.FAULT : STATE.IDLE;
    this.evaluate();
    this.hooks.changed(this.state, this.fault);
  }
}
