/** Sequence validation and transaction tracking of ProducerStateManager on raw batches. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ProducerStateManager } from '../../src/log/producer-state.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { buildControlBatch } from '../../src/protocol/records/control.ts';

let next = 0;
function batch(pid: number, epoch: number, seq: number, count = 2, transactional = false): Buffer {
  const b = buildRecordBatch({
    records: Array.from({ length: count }, () => ({ key: null, value: Buffer.from('x') })),
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    transactional,
    baseOffset: next,
  });
  next += count;
  return b;
}
function marker(pid: number, epoch: number, type: 'commit' | 'abort'): Buffer {
  return buildControlBatch({ type, producerId: pid, producerEpoch: epoch, baseOffset: next++ });
}

it('accepts in-order sequences, dedupes the last 5 batches, rejects gaps and stale epochs', () => {
  next = 0;
  const s = new ProducerStateManager();
  const appended: Buffer[] = [];
  for (let i = 0; i < 7; i++) {
    const b = batch(7, 0, i * 2);
    assert.deepEqual(s.check(b), { kind: 'ok' });
    s.onAppended(b);
    appended.push(b);
  }
  // A retry of one of the last 5 batches is a duplicate with its original offsets.
  const dup = s.check(batch(7, 0, 12));
  assert.deepEqual(dup, { kind: 'duplicate', baseOffset: 12, lastOffset: 13 });
  // Older than the last 5: not a duplicate any more, and out of order.
  assert.equal(
    (s.check(batch(7, 0, 2)) as { errorCode: number }).errorCode,
    ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  );
  assert.equal(
    (s.check(batch(7, 0, 20)) as { errorCode: number }).errorCode,
    ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  );
  assert.deepEqual(s.check(batch(7, 0, 14)), { kind: 'ok' });
  // New epoch must start at 0; older epoch is fenced.
  assert.equal(
    (s.check(batch(7, 1, 5)) as { errorCode: number }).errorCode,
    ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  );
  const bumped = batch(7, 1, 0);
  assert.deepEqual(s.check(bumped), { kind: 'ok' });
  s.onAppended(bumped);
  assert.equal(
    (s.check(batch(7, 0, 16)) as { errorCode: number }).errorCode,
    ErrorCode.INVALID_PRODUCER_EPOCH,
  );
  // Unknown producers are accepted at any sequence (KIP-360).
  assert.deepEqual(s.check(batch(99, 3, 42)), { kind: 'ok' });
});

it('tracks open transactions for the LSO and indexes aborted ones', () => {
  next = 100;
  const s = new ProducerStateManager();
  s.onAppended(batch(1, 0, 0, 3, true)); // 100-102
  s.onAppended(batch(2, 0, 0, 2, true)); // 103-104
  assert.equal(s.firstUnstableOffset(), 100);
  s.onAppended(marker(1, 0, 'abort')); // 105
  assert.equal(s.firstUnstableOffset(), 103);
  s.onAppended(marker(2, 0, 'commit')); // 106
  assert.equal(s.firstUnstableOffset(), null);
  assert.deepEqual(s.abortedIn(0, 200), [{ producerId: 1, firstOffset: 100, lastOffset: 105 }]);
  assert.deepEqual(s.abortedIn(106, 200), []);
  // A marker with a bumped epoch fences the old epoch on this partition.
  s.onAppended(batch(3, 0, 0, 1, true));
  s.onAppended(marker(3, 1, 'abort'));
  assert.equal(
    (s.check(batch(3, 0, 1)) as { errorCode: number }).errorCode,
    ErrorCode.INVALID_PRODUCER_EPOCH,
  );
});

it('expires idle producers but never one with an open transaction', () => {
  next = 0;
  const s = new ProducerStateManager();
  for (const b of [batch(1, 0, 0), batch(2, 0, 0), batch(3, 0, 0, 2, true)]) s.onAppended(b);
  const t = s.producers.get(1)!.lastTimestamp;
  assert.ok(t > 0);
  assert.equal(s.removeExpired(t + 999, 1000), 0, 'not idle long enough');
  // Producer 2 writes again later, so only producer 1 is idle past the limit.
  s.producers.get(2)!.lastTimestamp = t + 500;
  assert.equal(s.removeExpired(t + 1000, 1000), 1);
  assert.deepEqual([...s.producers.keys()].sort(), [2, 3]);
  assert.equal(s.removeExpired(t + 10_000, 1000), 1, 'the open transaction keeps producer 3');
  assert.deepEqual([...s.producers.keys()], [3]);
  s.onAppended(marker(3, 0, 'commit'));
  assert.equal(s.removeExpired(t + 10_000, 1000), 1, 'once committed, it expires too');
  // A forgotten producer is accepted again at any sequence (KIP-360).
  assert.deepEqual(s.check(batch(1, 0, 40)), { kind: 'ok' });
});
