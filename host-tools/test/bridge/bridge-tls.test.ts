// Security: the bridge on mqtts:// with a CA, a client certificate and a user name and
// password read from the environment or a credentials file (never argv); refused without
// the right CA or password. Certificates are made for the test with openssl.
jest.mock('aedes', () => require('./aedes-cjs').loadAedesCjs());
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brokerUrlProblem, parseCredentialsFile, readCredentials } from '../../src/bridge/credentials';
import { SimPenPort } from '../../src/bridge/sim/sim-pen-port';
import { startBridge } from './bridge-harness';
import { AedesBroker } from './test-brokers';
import { Watcher } from './watcher';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
const maybe = haveOpenssl ? test : test.skip;

interface Pki { ca: Buffer; serverCert: Buffer; serverKey: Buffer; clientCert: Buffer; clientKey: Buffer; otherCa: Buffer }

function makePki(dir: string): Pki {
  const ssl = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }); };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=stipple test CA');
  ssl('req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=another CA');
  for (const [name, cn, ext] of [['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['client', 'bridge', 'extendedKeyUsage=clientAuth']] as const) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  }
  const r = (f: string): Buffer => readFileSync(path.join(dir, f));
  return { ca: r('ca.pem'), serverCert: r('server.pem'), serverKey: r('server.key'), clientCert: r('client.pem'), clientKey: r('client.key'), otherCa: r('other.pem') };
}

maybe('mqtts with a CA, a client certificate and credentials from the environment or a file; refused with the wrong CA or password', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stipple-tls-'));
  const pki = makePki(dir);
  const broker = await AedesBroker.start({
    tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    credentials: { username: 'clinic-7', password: 'pa55 w0rd' },
  });
  const w = await Watcher.connect(broker.url, { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, username: 'clinic-7', password: 'pa55 w0rd' });
  const credFile = path.join(dir, 'creds');
  writeFileSync(credFile, '# bridge credentials\nSTIPPLE_MQTT_USERNAME=clinic-7\nSTIPPLE_MQTT_PASSWORD="pa55 w0rd"\n');
  chmodSync(credFile, 0o600);
  const fromFile = readCredentials({ file: credFile, env: {} });
  expect(fromFile).toMatchObject({ username: 'clinic-7', password: 'pa55 w0rd', source: credFile, warning: undefined });
  const fromEnv = readCredentials({ env: { STIPPLE_MQTT_USERNAME: 'clinic-7', STIPPLE_MQTT_PASSWORD: 'pa55 w0rd' } });
  expect(fromEnv).toMatchObject({ username: 'clinic-7', password: 'pa55 w0rd', source: 'environment' });
  const tls = { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey };
  const good = startBridge(broker.url, [new SimPenPort({ seed: 51, variant: 'bench', speed: 5, activity: 'none' })], { ...tls, username: fromEnv.username, password: fromEnv.password });
  const wrongPassword = startBridge(broker.url, [], { ...tls, username: 'clinic-7', password: 'guess' });
  const wrongCa = startBridge(broker.url, [], { ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey, username: fromFile.username, password: fromFile.password });
  try {
    await w.waitFor(() => w.of('status', 'SIM-V-000051').some((m) => m.payload.status === 'online'), 20000, 'the pen online over TLS');
    await w.waitFor(() => wrongPassword.lines.some((l) => /mqtt-error/.test(l)) && wrongCa.lines.some((l) => /mqtt-error/.test(l)), 10000, 'both refusals logged');
    expect(wrongPassword.lines.find((l) => /mqtt-error/.test(l))).toMatch(/Not authorized|Bad username or password/i);
    expect(wrongCa.lines.find((l) => /mqtt-error/.test(l))).toMatch(/certificate/i);
    expect(wrongPassword.bridge.stats().connected).toBe(false);
    expect(wrongCa.bridge.stats().connected).toBe(false);
    expect(broker.connects.filter((c) => c.ok).every((c) => c.username === 'clinic-7')).toBe(true);
    expect(broker.connects.some((c) => !c.ok && c.id.startsWith('stipple-bridge-'))).toBe(true);
    expect(w.invalid).toEqual([]);
  } finally {
    await Promise.all([good.close(), wrongPassword.close(), wrongCa.close()]);
    await w.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('credentials: files of KEY=value lines, a warning for a file others can read, never in the broker URL', () => {
  expect(parseCredentialsFile('export STIPPLE_MQTT_USERNAME=a\n\n# x\nSTIPPLE_MQTT_PASSWORD=\'b c\'\n', 'f')).toEqual({ username: 'a', password: 'b c' });
  expect(() => parseCredentialsFile('PASSWORD=x\n', 'f')).toThrow(/f:1: unknown key PASSWORD/);
  expect(() => parseCredentialsFile('just text\n', 'f')).toThrow(/f:1: expected STIPPLE_MQTT_USERNAME/);
  const dir = mkdtempSync(path.join(tmpdir(), 'stipple-cred-'));
  try {
    const f = path.join(dir, 'c');
    writeFileSync(f, 'STIPPLE_MQTT_USERNAME=u\nSTIPPLE_MQTT_PASSWORD=p\n');
    chmodSync(f, 0o644);
    expect(readCredentials({ file: f, env: {} }).warning).toMatch(/readable by other users/);
    writeFileSync(f, 'STIPPLE_MQTT_PASSWORD=p\n');
    expect(() => readCredentials({ file: f, env: {} })).toThrow(/password but no STIPPLE_MQTT_USERNAME/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(readCredentials({ env: {} })).toEqual({ source: 'none' });
  expect(() => readCredentials({ env: { STIPPLE_MQTT_PASSWORD: 'p' } })).toThrow(/STIPPLE_MQTT_USERNAME is not/);
  expect(brokerUrlProblem('mqtts://u:p@broker:8883')).toMatch(/carries a password/);
  expect(brokerUrlProblem('mqtt://u@broker')).toMatch(/carries a user name/);
  expect(brokerUrlProblem('http://broker')).toMatch(/unsupported scheme/);
  expect(brokerUrlProblem('mqtts://broker.example:8883')).toBe('');
});
