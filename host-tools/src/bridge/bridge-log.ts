// What the bridge tells its operator: one line per event, as text on stderr or as JSON
// lines (`--json`), so a service manager's journal or a log shipper can read it.

export type LogLevel = 'info' | 'warn' | 'error';

export interface BridgeLog {
  (level: LogLevel, event: string, msg: string, fields?: Record<string, unknown>): void;
}

/** Drops everything (library use, tests). */
export const silentLog: BridgeLog = () => undefined;
