import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { batch, tempDir } from './helpers.ts';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const freshDir = (): string => `${tmp.dir}/ts-${n++}`;

describe('offsetForTimestamp', () => {
  it('finds the exact record inside a batch, across segments and after reopen', async () => {
    const dir = freshDir();
    const config = { segmentBytes: 4096, indexIntervalBytes: 200 };
    const log = PartitionLog.open(dir, { config });
    // 100 batches of 5 records; record at offset o has timestamp 10_000 + 10 * o.
    for (let i = 0; i < 100; i++) log.append(batch({ records: 5, timestamp: 10_000 + 50 * i, step: 10 }));
    const check = (l: PartitionLog): void => {
      assert.deepEqual(l.offsetForTimestamp(0), { offset: 0, timestamp: 10_000 });
      assert.deepEqual(l.offsetForTimestamp(10_000), { offset: 0, timestamp: 10_000 });
      assert.deepEqual(l.offsetForTimestamp(10_001), { offset: 1, timestamp: 10_010 });
      assert.deepEqual(l.offsetForTimestamp(10_000 + 10 * 333), { offset: 333, timestamp: 13_330 });
      assert.deepEqual(l.offsetForTimestamp(10_000 + 10 * 333 - 5), { offset: 333, timestamp: 13_330 });
      assert.deepEqual(l.offsetForTimestamp(10_000 + 10 * 499), { offset: 499, timestamp: 14_990 });
      assert.equal(l.offsetForTimestamp(15_000), null);
      assert.deepEqual(l.maxTimestampOffset(), { offset: 499, timestamp: 14_990 });
    };
    assert.ok(log.segments.length > 3);
    check(log);
    await log.close();
    const again = PartitionLog.open(dir, { config });
    check(again);
    await again.close();
  });

  it('handles timestamps that go backwards (earliest offset wins)', async () => {
    const log = PartitionLog.open(freshDir(), { config: { indexIntervalBytes: 0 } });
    log.append(batch({ records: 2, timestamp: 500 })); // 0-1 @500
    log.append(batch({ records: 2, timestamp: 100 })); // 2-3 @100
    log.append(batch({ records: 2, timestamp: 900 })); // 4-5 @900
    log.append(batch({ records: 2, timestamp: 700 })); // 6-7 @700
    assert.deepEqual(log.offsetForTimestamp(600), { offset: 4, timestamp: 900 });
    assert.deepEqual(log.offsetForTimestamp(200), { offset: 0, timestamp: 500 });
    assert.deepEqual(log.maxTimestampOffset(), { offset: 4, timestamp: 900 });
    await log.close();
  });

  it('uses the log append time for LogAppendTime batches and respects the log start', async () => {
    const log = PartitionLog.open(freshDir());
    log.append(batch({ records: 3, timestamp: 1 }), { logAppendTime: 1000 });
    log.append(batch({ records: 3, timestamp: 1 }), { logAppendTime: 2000 });
    assert.deepEqual(log.offsetForTimestamp(1500), { offset: 3, timestamp: 2000 });
    assert.deepEqual(log.maxTimestampOffset(), { offset: 3, timestamp: 2000 });
    log.deleteRecordsBefore(4);
    assert.deepEqual(log.offsetForTimestamp(0), { offset: 4, timestamp: 2000 });
    await log.close();
  });

  it('decodes compressed batches for the exact record', async () => {
    const log = PartitionLog.open(freshDir());
    log.append(batch({ records: 10, timestamp: 100, step: 1, compression: 'gzip' }));
    assert.deepEqual(log.offsetForTimestamp(104), { offset: 4, timestamp: 104 });
    await log.close();
  });

  it('returns null for an empty log', async () => {
    const log = PartitionLog.open(freshDir());
    assert.equal(log.offsetForTimestamp(0), null);
    assert.equal(log.maxTimestampOffset(), null);
    await log.close();
  });

  it('agrees with a linear search (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ ts: fc.integer({ min: 0, max: 10_000 }), records: fc.integer({ min: 1, max: 6 }) }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.array(fc.integer({ min: -10, max: 10_100 }), { minLength: 1, maxLength: 10 }),
        async (batches, targets) => {
          const log = PartitionLog.open(freshDir(), {
            config: { segmentBytes: 1500, indexIntervalBytes: 100 },
          });
          const all: { offset: number; ts: number }[] = [];
          for (const b of batches) {
            const { baseOffset } = log.append(batch({ records: b.records, timestamp: b.ts, step: 3 }));
            for (let i = 0; i < b.records; i++) all.push({ offset: baseOffset + i, ts: b.ts + 3 * i });
          }
          for (const t of targets) {
            const hit = all.find((r) => r.ts >= t);
            assert.deepEqual(
              log.offsetForTimestamp(t),
              hit ? { offset: hit.offset, timestamp: hit.ts } : null,
            );
          }
          const max = Math.max(...all.map((r) => r.ts));
          const first = all.find((r) => r.ts === max)!;
          assert.deepEqual(log.maxTimestampOffset(), { offset: first.offset, timestamp: max });
          log.delete();
        },
      ),
      { numRuns: 60 },
    );
  });
});
