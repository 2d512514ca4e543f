import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { PartitionLog } from '../../src/log/partition-log.ts';
import {
  isBatchCrcValid,
  readBatchHeader,
  TIMESTAMP_TYPE_LOG_APPEND,
} from '../../src/protocol/records/batch-header.ts';
import { batch, batchesIn, tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const freshDir = (): string => `${tmp.dir}/t-${n++}`;

function records(r: ReturnType<PartitionLog['read']>): Buffer | null {
  assert.ok(!('error' in r), 'unexpected read error');
  return r.records;
}

describe('PartitionLog append/read', () => {
  it('assigns consecutive offsets and rolls segments by size', async () => {
    const log = PartitionLog.open(freshDir(), { config: { segmentBytes: 2000 } });
    let expected = 0;
    for (let i = 0; i < 60; i++) {
      const count = 1 + (i % 5);
      const res = log.append(batch({ records: count, valueSize: 40 }));
      assert.deepEqual(res, { baseOffset: expected, lastOffset: expected + count - 1, logAppendTime: -1 });
      expected += count;
    }
    assert.equal(log.logEndOffset, expected);
    assert.ok(log.segments.length > 3, `expected several segments, got ${log.segments.length}`);
    for (const seg of log.segments) assert.ok(seg.size <= 2000);
    // Read everything back, segment by segment.
    let offset = 0;
    const seen: number[] = [];
    while (offset < log.logEndOffset) {
      const got = batchesIn(records(log.read(offset, 1 << 20)));
      assert.ok(got.length > 0);
      for (const b of got) {
        assert.equal(b.baseOffset, seen.length === 0 ? 0 : seen.at(-1)! + 1);
        seen.push(b.lastOffset);
      }
      offset = got.at(-1)!.lastOffset + 1;
    }
    assert.equal(seen.at(-1), expected - 1);
    await log.close();
  });

  it('keeps offsets and data across reopen', async () => {
    const dir = freshDir();
    const log = PartitionLog.open(dir, { config: { segmentBytes: 3000 } });
    for (let i = 0; i < 40; i++) log.append(batch({ records: 2, valueSize: 60 }));
    const before = records(log.read(0, 1 << 20));
    await log.close();
    const again = PartitionLog.open(dir, { config: { segmentBytes: 3000 } });
    assert.equal(again.logEndOffset, 80);
    assert.equal(again.logStartOffset, 0);
    assert.deepEqual(records(again.read(0, 1 << 20)), before);
    assert.deepEqual(again.append(batch({ records: 3 })), {
      baseOffset: 80,
      lastOffset: 82,
      logAppendTime: -1,
    });
    await again.close();
  });

  it('stores batches verbatim apart from the base offset and leader epoch, with valid CRCs', async () => {
    const log = PartitionLog.open(freshDir());
    const original = batch({ records: 4, valueSize: 20 });
    const copy = Buffer.from(original);
    log.append(batch({ records: 7 }));
    log.append(original);
    const got = records(log.read(7, 1 << 20))!;
    assert.equal(readBatchHeader(got).baseOffset, 7);
    assert.ok(isBatchCrcValid(got));
    assert.equal(readBatchHeader(got).partitionLeaderEpoch, 0, 'the broker writes its leader epoch');
    assert.deepEqual(got.subarray(8, 12), copy.subarray(8, 12));
    assert.deepEqual(got.subarray(16), copy.subarray(16));
    await log.close();
  });

  it('appends several concatenated batches in one call', async () => {
    const log = PartitionLog.open(freshDir());
    const res = log.append(
      Buffer.concat([batch({ records: 2 }), batch({ records: 3 }), batch({ records: 1 })]),
    );
    assert.deepEqual(res, { baseOffset: 0, lastOffset: 5, logAppendTime: -1 });
    assert.deepEqual(
      batchesIn(records(log.read(0, 1 << 20))).map((b) => [b.baseOffset, b.lastOffset]),
      [
        [0, 1],
        [2, 4],
        [5, 5],
      ],
    );
    await log.close();
  });

  it('rejects buffers that are not whole batches', async () => {
    const log = PartitionLog.open(freshDir());
    assert.throws(() => log.append(Buffer.alloc(0)), RangeError);
    assert.throws(() => log.append(batch().subarray(0, 70)), RangeError);
    assert.throws(() => log.append(Buffer.concat([batch(), Buffer.alloc(10)])), RangeError);
    assert.equal(log.logEndOffset, 0);
    await log.close();
  });

  it('sets the log append time: maxTimestamp, timestamp type bit and CRC', async () => {
    const log = PartitionLog.open(freshDir());
    const res = log.append(batch({ records: 3, timestamp: 1000 }), { logAppendTime: 5_000_000 });
    assert.equal(res.logAppendTime, 5_000_000);
    const got = records(log.read(0, 1 << 20))!;
    const h = readBatchHeader(got);
    assert.equal(h.maxTimestamp, 5_000_000);
    assert.ok(h.attributes & TIMESTAMP_TYPE_LOG_APPEND);
    assert.ok(isBatchCrcValid(got));
    await log.close();
  });

  it('honours maxBytes, minOneBatch and maxOffset', async () => {
    const log = PartitionLog.open(freshDir());
    for (let i = 0; i < 10; i++) log.append(batch({ records: 2, valueSize: 100 }));
    const size = batchesIn(records(log.read(0, 1 << 20)))[0]!.size;
    assert.equal(batchesIn(records(log.read(0, size * 3 + 10))).length, 3);
    assert.equal(records(log.read(0, size - 1)), null);
    assert.equal(batchesIn(records(log.read(0, size - 1, { minOneBatch: true }))).length, 1);
    assert.equal(batchesIn(records(log.read(0, 0, { minOneBatch: true }))).length, 1);
    // Batches must lie entirely below maxOffset.
    assert.deepEqual(
      batchesIn(records(log.read(0, 1 << 20, { maxOffset: 7 }))).map((b) => b.baseOffset),
      [0, 2, 4],
    );
    assert.equal(records(log.read(6, 1 << 20, { maxOffset: 6 })), null);
    await log.close();
  });

  it('returns the batch containing the fetch offset first (Kafka semantics)', async () => {
    const log = PartitionLog.open(freshDir());
    log.append(batch({ records: 5 }));
    log.append(batch({ records: 5 }));
    assert.equal(batchesIn(records(log.read(7, 1 << 20)))[0]!.baseOffset, 5);
    await log.close();
  });

  it('answers out-of-range and end-of-log reads', async () => {
    const log = PartitionLog.open(freshDir());
    log.append(batch({ records: 3 }));
    assert.deepEqual(log.read(3, 100), { records: null, highWatermark: 3, logStartOffset: 0 });
    assert.deepEqual(log.read(4, 100), { error: 'OFFSET_OUT_OF_RANGE', highWatermark: 3, logStartOffset: 0 });
    assert.deepEqual(log.read(-1, 100), {
      error: 'OFFSET_OUT_OF_RANGE',
      highWatermark: 3,
      logStartOffset: 0,
    });
    await log.close();
  });

  it('notifies append listeners until unsubscribed', async () => {
    const log = PartitionLog.open(freshDir());
    const seen: number[] = [];
    const off = log.onAppend((end) => seen.push(end));
    log.append(batch({ records: 2 }));
    log.append(batch({ records: 1 }));
    off();
    log.append(batch({ records: 1 }));
    assert.deepEqual(seen, [2, 3]);
    assert.equal(log.appendedBytes, batch({ records: 2 }).length + 2 * batch({ records: 1 }).length);
    await log.close();
  });

  it('rolls by segment.ms and when the index fills up', async () => {
    let now = 1_000_000;
    const log = PartitionLog.open(freshDir(), { config: { segmentMs: 1000 }, now: () => now });
    log.append(batch());
    now += 999;
    log.append(batch());
    assert.equal(log.segments.length, 1);
    now += 1;
    log.append(batch());
    assert.equal(log.segments.length, 2);
    await log.close();

    const small = PartitionLog.open(freshDir(), {
      config: { indexIntervalBytes: 0, segmentIndexBytes: 8 * 4 },
    });
    for (let i = 0; i < 20; i++) small.append(batch());
    assert.ok(small.segments.length >= 4, `segments: ${small.segments.length}`);
    for (const seg of small.segments) assert.ok(seg.offsetIndex.entries <= 4);
    assert.equal(batchesIn(records(small.read(0, 1 << 20))).length, 5);
    await small.close();
  });
});

describe('PartitionLog index lookups (property)', () => {
  it('the first returned batch contains the fetch offset', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            records: fc.integer({ min: 1, max: 20 }),
            valueSize: fc.integer({ min: 0, max: 900 }),
          }),
          {
            minLength: 1,
            maxLength: 80,
          },
        ),
        fc.integer({ min: 0, max: 512 }),
        fc.integer({ min: 1500, max: 20_000 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        async (specs, interval, segmentBytes, picks) => {
          const dir = freshDir();
          const log = PartitionLog.open(dir, { config: { indexIntervalBytes: interval, segmentBytes } });
          for (const s of specs) log.append(batch(s));
          const check = (l: PartitionLog): void => {
            for (const p of picks) {
              const offset = p % l.logEndOffset;
              const maxBytes = p % 3 === 0 ? 1 : 64 * 1024;
              const got = batchesIn(records(l.read(offset, maxBytes, { minOneBatch: true })));
              assert.ok(got.length > 0);
              assert.ok(got[0]!.baseOffset <= offset && offset <= got[0]!.lastOffset);
            }
          };
          check(log);
          await log.close();
          const reopened = PartitionLog.open(dir, { config: { indexIntervalBytes: interval, segmentBytes } });
          check(reopened);
          reopened.delete();
        },
      ),
      { numRuns: 40 },
    );
  });
});
