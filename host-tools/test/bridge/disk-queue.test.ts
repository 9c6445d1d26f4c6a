// The on-disk queue: order, the limit and its overflow count, acknowledgements in any
// order, what survives a restart (and a torn last line), and compaction.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiskQueue } from '../../src/bridge/disk-queue';

let dir: string;
beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'stipple-queue-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const msg = (k: number) => ({ topic: `t/${k}`, payload: JSON.stringify({ k }), retain: k % 2 === 0 });

test('keeps order, refuses beyond its limit and counts the overflow', () => {
  const q = new DiskQueue(dir, { limit: 3, saveAckMs: 0 });
  expect([1, 2, 3, 4, 5].map((k) => q.push(msg(k))?.seq)).toEqual([1, 2, 3, undefined, undefined]);
  expect(q.overflowed).toBe(2);
  expect(q.pending.map((e) => e.topic)).toEqual(['t/1', 't/2', 't/3']);
  q.ack(1);
  expect(q.push(msg(6))?.seq).toBe(4);
  expect(q.pending.map((e) => e.topic)).toEqual(['t/2', 't/3', 't/6']);
  q.close();
});

test('what was not acknowledged survives a restart, in order, even after a torn last line', () => {
  const q = new DiskQueue(dir, { saveAckMs: 0 });
  for (let k = 1; k <= 5; k++) q.push(msg(k));
  q.ack(2); // out of order: 1 still pending, so the saved mark stays
  q.ack(1); // now 1 and 2 are done
  q.close();
  appendFileSync(path.join(dir, 'queue.jsonl'), '{"q":6,"t":"t/6","p":"{\\"k'); // a crash mid-write
  const again = new DiskQueue(dir, { saveAckMs: 0 });
  expect(again.pending.map((e) => [e.seq, e.topic, e.retain])).toEqual([[3, 't/3', false], [4, 't/4', true], [5, 't/5', false]]);
  expect(again.push(msg(7))?.seq).toBe(6);
  for (const e of [...again.pending]) again.ack(e.seq);
  expect(again.size).toBe(0);
  expect(statSync(path.join(dir, 'queue.jsonl')).size).toBe(0); // emptied once all acknowledged
  again.close();
  const third = new DiskQueue(dir);
  expect(third.size).toBe(0);
  expect(third.push(msg(8))?.seq).toBe(7); // numbering goes on
  third.close();
});

test('an acknowledged prefix is compacted away once the file is large', () => {
  const q = new DiskQueue(dir, { compactBytes: 2000, saveAckMs: 0 });
  for (let k = 1; k <= 100; k++) q.push(msg(k));
  for (let k = 1; k <= 90; k++) q.ack(k);
  const lines = readFileSync(path.join(dir, 'queue.jsonl'), 'utf8').trim().split('\n');
  expect(lines.length).toBeLessThan(100);
  q.close();
  expect(new DiskQueue(dir).pending.map((e) => e.seq)).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
});
