// MosquittoProcess.save(): a persistent subscriber's session survives a crash that comes
// right after it subscribed, which mosquitto's own autosave (up to 2 s later) does not
// promise. The broker-outage test relies on it.
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { findMosquitto, MosquittoProcess } from '../../src/bridge/mosquitto-process';

const have = findMosquitto() !== undefined;
const maybe = have ? test : test.skip;

async function client(url: string, clientId: string, clean: boolean): Promise<MqttClient> {
  const c = connect(url, { clientId, clean, reconnectPeriod: 0, protocolVersion: 4 });
  await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
  return c;
}

maybe('save(): a session subscribed just before a crash is there after the restart, with what was published meanwhile', async () => {
  const m = await MosquittoProcess.start({ persistence: true });
  try {
    const sub = await client(m.url, 'keeper', false);
    await sub.subscribeAsync('t/#', { qos: 1 });
    await m.save();
    await m.kill();
    await sub.endAsync(true);
    await m.launch();
    const pub = await client(m.url, 'sender', true);
    await pub.publishAsync('t/x', 'while away', { qos: 1 });
    await pub.endAsync();
    // back with the same id and no new subscription: only the saved session delivers
    const back = connect(m.url, { clientId: 'keeper', clean: false, reconnectPeriod: 0, protocolVersion: 4, resubscribe: false });
    const got = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('nothing delivered to the restored session within 5 s')), 5000);
      back.on('message', (topic, payload) => { clearTimeout(timer); resolve(`${topic} ${payload.toString()}`); });
      back.once('error', reject);
    });
    expect(got).toBe('t/x while away');
    await back.endAsync(true);
  } finally {
    await m.stop();
  }
});
