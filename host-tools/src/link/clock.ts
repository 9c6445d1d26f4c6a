// Time as the host side of the link sees it. PenClient takes its timeouts, heartbeats and
// parser polls from a HostClock so that, against the simulator, they run on the virtual
// pen's timeline (a host driving the sim faster than real time still beats every 50 ms of
// *virtual* time); against a real pen they are Node's own timers.

/** A timer handle. Real timers can be unref'd (so an idle poll does not keep Node alive). */
export interface ClockTimer {
  unref?(): unknown;
}

export interface HostClock {
  /** Milliseconds on this clock's timeline (only differences are meaningful). */
  now(): number;
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(t: ClockTimer | undefined): void;
  setInterval(fn: () => void, ms: number): ClockTimer;
  clearInterval(t: ClockTimer | undefined): void;
}

/** Wall-clock time and Node's timers. */
export const realClock: HostClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout | undefined),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (t) => clearInterval(t as NodeJS.Timeout | undefined),
};
