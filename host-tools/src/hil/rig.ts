// The HIL rig: what a scenario runs against. Two kinds: the simulator (a fresh virtual pen
// per scenario on virtual time, with the simulator's controls and its ground truth, which
// only the rig and the assertions read: the pen's firmware never sees it), and a serial
// port (a real pen on the wall clock: only the host link).
import type { VirtualBoard } from '../sim/board';
import type { PenClient } from '../link/pen-client';
import type { PenHardware } from '../sim/physics/pen-hardware';
import type { SimLink } from '../sim/sim-link';
import type { VirtualPen } from '../sim/virtual-pen';
import type { PinMap } from '@stipple/firmware/boards/pin-maps';

export interface SimControl {
  pen: VirtualPen;
  hw: PenHardware;
  board: VirtualBoard;
  link: SimLink;
  pins: PinMap;
}

export interface Rig {
  readonly kind: 'sim' | 'serial';
  /** Where: "sim" or the serial port path. */
  readonly where: string;
  readonly client: PenClient;
  /** The technician secret when the rig knows it (the simulator's pen), for enterService. */
  readonly secret: string | undefined;
  /** Simulator controls and truth; undefined on a serial pen. */
  readonly sim: SimControl | undefined;
  /** Absolute time on the rig's clock, s. */
  now(): number;
  /**
   * Let time pass until absolute time `t`, calling `tick` between steps (≤ 5 ms of virtual
   * time, 20 ms on the wall clock); stops early when `tick` returns true.
   */
  advanceTo(t: number, tick: () => boolean): Promise<void>;
  close(): Promise<void>;
}
