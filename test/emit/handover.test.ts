/**
 * The hand-over between the app's thread and the sender's worker (handover.ts, record.ts): packed
 * batches come back as the same records, the batch ring wraps around its end and refuses what does
 * not fit, and the settlement ring returns what was written, in order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CloudEventEncoder } from '../../src/emit/cloudevent.ts';
import {
  CTL_DRAINED,
  CTL_SETTLED,
  createHandover,
  readBatch,
  writeBatch,
  writeSettlement,
} from '../../src/emit/handover.ts';
import { packRecords, type QueuedRecord, unpackRecords } from '../../src/emit/record.ts';

const encoder = new CloudEventEncoder({ topic: 'events', source: '/test', mode: 'binary' });

function records(n: number, first = 0): QueuedRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const seq = first + i;
    const id = `id-${seq}`;
    const at = 1_700_000_000_000 + seq;
    if (seq % 5 === 0) return encoder.encode('no.data', undefined, { id, topic: 'tøpic-ü' }, at);
    if (seq % 5 === 1) return encoder.encode('bytes', Buffer.alloc(seq % 300, seq), { id }, at);
    return encoder.encode('test.seq', { seq, pad: 'x'.repeat(seq % 97) }, { id, key: `key-${seq % 7}` }, at);
  });
}

function comparable(r: Omit<QueuedRecord, 'size'>): unknown {
  return {
    topic: r.topic,
    key: r.key?.toString('hex'),
    value: r.value?.toString('hex'),
    headers: r.headers.map(([k, v]) => [k.toString(), v.toString('hex')]),
    timestamp: r.timestamp,
  };
}

test('packed records come back the same: topics, keys, values, headers, timestamps; no key or value stays none', () => {
  const batch = records(50);
  const back = unpackRecords(Buffer.from(packRecords(batch)));
  assert.deepEqual(back.map(comparable), batch.map(comparable));
  assert.equal(back[0]!.key, undefined);
  assert.equal(back[0]!.value, undefined);
  assert.equal(unpackRecords(Buffer.from(packRecords([]))).length, 0);
});

test('the batch ring wraps around its end, keeps batches in order and refuses a batch that does not fit', () => {
  const h = createHandover(4096, 16);
  let written = 0;
  let read = 0;
  let wraps = 0;
  let lastPos = 0;
  // Write until full, read some, write again: many times round the 4 KiB ring.
  for (let round = 0; round < 200; round++) {
    while (writeBatch(h, written + 1, records(1 + (written % 4), written))) written++;
    for (let i = 0; i < 1 + (round % 3); i++) {
      const b = readBatch(h);
      if (b === null) break;
      read++;
      assert.equal(b.id, read, 'batches in the order written');
      const expected = records(1 + ((read - 1) % 4), read - 1);
      assert.deepEqual(unpackRecords(b.packed).map(comparable), expected.map(comparable));
    }
    const pos = h.ctl[1]! & (h.ringBytes - 1);
    if (pos < lastPos) wraps++;
    lastPos = pos;
  }
  assert.ok(wraps > 10, `wrapped ${wraps} times`);
  for (let b = readBatch(h); b !== null; b = readBatch(h)) assert.equal(b.id, ++read);
  assert.equal(read, written);
  assert.equal(readBatch(h), null);
  // Larger than the ring: never fits (it goes by message).
  assert.equal(writeBatch(h, written + 1, [records(1)[0]!, ...records(60)]), false);
});

test('the settlement ring returns what was written, in order, and refuses more than its slots', () => {
  const h = createHandover(4096, 16);
  assert.equal(h.settleSlots, 16);
  let next = 1;
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 16; i++) assert.equal(writeSettlement(h, next + i, i, i % 2, 1000 + next + i), true);
    assert.equal(writeSettlement(h, 0, 0, 0, 0), false, 'full');
    let r: number = h.ctl[CTL_DRAINED]!;
    while (r !== Atomics.load(h.ctl, CTL_SETTLED)) {
      const i: number = r & (h.settleSlots - 1);
      assert.deepEqual([h.settled[i * 4], h.settledAt[i]], [next, 1000 + next]);
      next++;
      r = (r + 1) | 0;
      Atomics.store(h.ctl, CTL_DRAINED, r);
    }
  }
  assert.equal(next, 161);
});
