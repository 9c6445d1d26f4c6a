// Broker credentials: from the environment (STIPPLE_MQTT_USERNAME, STIPPLE_MQTT_PASSWORD)
// or from a file of the same KEY=value lines (usable as a systemd EnvironmentFile), never
// from the command line, where every user of the machine can read them (ps, /proc). A
// broker URL with a password in it is refused for the same reason.
import { readFileSync, statSync } from 'node:fs';

export const USERNAME_ENV = 'STIPPLE_MQTT_USERNAME';
export const PASSWORD_ENV = 'STIPPLE_MQTT_PASSWORD';

export interface Credentials {
  username?: string;
  password?: string;
  /** Where they came from, for the log (never the values). */
  source: 'none' | 'environment' | string;
  /** Something the operator should fix (e.g. a file others can read). */
  warning?: string;
}

export class CredentialsError extends Error {}

/** Parse KEY=value lines (# comments, optional quotes). */
export function parseCredentialsFile(text: string, file: string): { username?: string; password?: string } {
  const out: { username?: string; password?: string } = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Z_]+)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new CredentialsError(`${file}:${i + 1}: expected ${USERNAME_ENV}=… or ${PASSWORD_ENV}=…`);
    const value = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
    if (m[1] === USERNAME_ENV) out.username = value;
    else if (m[1] === PASSWORD_ENV) out.password = value;
    else throw new CredentialsError(`${file}:${i + 1}: unknown key ${m[1]} (only ${USERNAME_ENV} and ${PASSWORD_ENV})`);
  });
  return out;
}

export function readCredentials(o: { file?: string; env?: NodeJS.ProcessEnv }): Credentials {
  const env = o.env ?? process.env;
  if (o.file) {
    let text: string;
    try {
      text = readFileSync(o.file, 'utf8');
    } catch (e) {
      throw new CredentialsError(`cannot read the credentials file ${o.file}: ${(e as Error).message}`);
    }
    const c = parseCredentialsFile(text, o.file);
    if (c.password !== undefined && c.username === undefined) throw new CredentialsError(`${o.file} has a password but no ${USERNAME_ENV}`);
    const mode = statSync(o.file).mode & 0o077;
    return { ...c, source: o.file, warning: mode ? `${o.file} is readable by other users (chmod 600 it)` : undefined };
  }
  const username = env[USERNAME_ENV];
  const password = env[PASSWORD_ENV];
  if (password !== undefined && username === undefined) throw new CredentialsError(`${PASSWORD_ENV} is set but ${USERNAME_ENV} is not`);
  if (username === undefined) return { source: 'none' };
  return { username, password, source: 'environment' };
}

/** Why a broker URL must not be used as given, or ''. */
export function brokerUrlProblem(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not a URL (e.g. mqtt://broker.example:1883 or mqtts://broker.example:8883)`;
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'tls:'].includes(u.protocol)) return `unsupported scheme ${u.protocol} (mqtt, mqtts, ws, wss)`;
  if (u.password) return `the broker URL carries a password: give credentials in ${USERNAME_ENV}/${PASSWORD_ENV} or --credentials-file, never on the command line`;
  if (u.username) return `the broker URL carries a user name: give it in ${USERNAME_ENV} or --credentials-file`;
  return '';
}
