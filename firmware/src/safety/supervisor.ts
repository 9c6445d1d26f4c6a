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
  penState = STATE.BOOT;
  latchedFault = FAULT.NONE;
  log: FaultEntry[] = [];
  faultCount = 0;
  calibrated = false;
  cartridgeIn = false;
  private hooks: SupervisorHooks;

  constructor(hooks: SupervisorHooks) {
    this.hooks = hooks;
  }

  /** Why the pen may not run now, or '' when it may. */
  blocker(): string {
    if (this.penState === STATE.FAULT) return 'fault latched';
    if (!this.calibrated) return 'not calibrated';
    if (!this.cartridgeIn) return 'no cartridge';
    return '';
  }

  private set(state: number): void {
    if (state === this.penState) return;
    this.penState = state;
    this.hooks.changed(this.penState, this.latchedFault);
  }

  /** Settle IDLE/READY from the current conditions (not in RUNNING, FAULT or SERVICE). */
  evaluate(): void {
    if (this.penState === STATE.RUNNING || this.penState === STATE.FAULT || this.penState === STATE.SERVICE) return;
    this.set(this.blocker() === '' ? STATE.READY : STATE.IDLE);
  }

  /** Latch a fault: safe first, then record. A second fault while latched is logged too. */
  latch(code: number, now: number, context: string): void {
    this.hooks.makeSafe();
    this.log.push({ c: code, t: Math.round(now * 1000) / 1000, x: context });
    if (this.log.length > FAULT_LOG_SIZE) this.log.shift();
    this.faultCount++;
    this.hooks.latched(code, now, context);
    if (this.penState !== STATE.FAULT) {
      this.latchedFault = code;
      this.penState = STATE.FAULT;
      this.hooks.changed(this.penState, this.latchedFault);
    }
  }

  /** RUNNING if allowed; returns the blocker otherwise. */
  run(): string {
    const why = this.penState === STATE.SERVICE ? '' : this.blocker();
    if (why) return why;
    if (this.penState === STATE.SERVICE) return '';
    this.set(STATE.RUNNING);
    return '';
  }

  stop(): void {
    if (this.penState === STATE.RUNNING) {
      this.penState = STATE.IDLE;
      this.evaluate();
      if (this.penState === STATE.IDLE) this.hooks.changed(this.penState, this.latchedFault);
    }
  }

  /**
   * A person clears the fault. Faults caused by a missing or corrupt record clear only once a
   * valid calibration exists, and only in SERVICE. Returns '' when cleared, else why not.
   */
  clear(): string {
    if (this.latchedFault === FAULT.NONE) return 'no fault latched';
    if (faultNeedsTechnician(this.latchedFault)) {
      if (!this.calibrated) return 'needs a technician: calibrate the pen';
      // a corrupt record may have held the technician's depth limits: only a technician, in SERVICE, clears it
      if (this.penState !== STATE.SERVICE) return 'needs a technician: clear it in SERVICE';
    }
    this.latchedFault = FAULT.NONE;
    if (this.penState === STATE.SERVICE) {
      // a technician cleared it in SERVICE: stay there
      this.hooks.changed(this.penState, this.latchedFault);
      return '';
    }
    this.penState = STATE.IDLE;
    this.evaluate();
    this.hooks.changed(this.penState, this.latchedFault);
    return '';
  }

  enterService(): string {
    if (this.penState === STATE.RUNNING) return 'stop the run first';
    this.hooks.makeSafe();
    this.set(STATE.SERVICE);
    return '';
  }

  leaveService(): void {
    if (this.penState !== STATE.SERVICE) return;
    this.hooks.makeSafe();
    this.penState = this.latchedFault !== FAULT.NONE ? STATE.FAULT : STATE.IDLE;
    this.evaluate();
    this.hooks.changed(this.penState, this.latchedFault);
  }
}
