// A FleetBridge in the test's process with virtual pens, its state in a fresh temp
// directory, quick reconnects, and its log kept for a failing test to show.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { FleetBridge } from '../../src/bridge/fleet-bridge';
import type { FleetBridgeOptions } from '../../src/bridge/fleet-bridge';
import type { PenPort } from '../../src/bridge/pen-port';

export interface TestBridge {
  bridge: FleetBridge;
  lines: string[];
  stateDir: string;
  close(): Promise<void>;
}

export function startBridge(url: string, ports: PenPort[], o: Partial<FleetBridgeOptions> = {}): TestBridge {
  const stateDir = o.stateDir ?? mkdtempSync(path.join(tmpdir(), 'stipple-bridge-'));
  const lines: string[] = [];
  const bridge = new FleetBridge({
    brokerUrl: url, bridgeId: `test-${randomUUID().slice(0, 6)}`, stateDir, backoff: { minMs: 100, maxMs: 400 },
    log: (level, event, msg) => lines.push(`${level} ${event}: ${msg}`), ...o,
  });
  bridge.start(ports);
  return {
    bridge, lines, stateDir,
    close: async () => {
      await bridge.close();
      if (!o.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The n of every fault message of a pen, first arrivals only (QoS 1 may repeat one). */
export function firstArrivals(ns: number[]): number[] {
  const seen = new Set<number>();
  return ns.filter((n) => (seen.has(n) ? false : (seen.add(n), true)));
}
