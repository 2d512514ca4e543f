/**
 * The log cleaner on a PartitionLog: latest value per key with offsets preserved (property test
 * over random keys, tombstones, batch sizes and codecs), tombstone expiry by delete horizon,
 * compressed batches re-compressed with their codec, control batches and transactions, the
 * compaction lags and the dirty ratio, and produce/fetch going on while the cleaner runs.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { cleanLog, readCleanerCheckpoint } from '../../src/log/cleaner.ts';
import type { LogConfig } from '../../src/log/config.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import {
  COMPRESSION_MASK,
  CONTROL_FLAG,
  DELETE_HORIZON_FLAG,
  TRANSACTIONAL_FLAG,
} from '../../src/protocol/records/batch-header.ts';
import type { CodecName } from '../../src/protocol/records/compression.ts';
import { buildControlBatch } from '../../src/protocol/records/control.ts';
import { type KV, kvBatch, latestState, readBatches, readRecords } from './compaction-helpers.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('samsa-compact-');
after(tmp.cleanup);
let n = 0;
const freshDir = (): string => `${tmp.dir}/c-${n++}`;

const T0 = 1_700_000_000_000;

function compactedLog(config: Partial<LogConfig> = {}, now = () => T0): PartitionLog {
  return PartitionLog.open(freshDir(), {
    config: {
      segmentBytes: 600,
      indexIntervalBytes: 100,
      cleanupPolicy: { delete: false, compact: true },
      minCleanableDirtyRatio: 0,
      deleteRetentionMs: 1000,
      ...config,
    },
    now,
  });
}

const CODECS: CodecName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

describe('log cleaner', () => {
  it('keeps the latest record per key with offsets preserved (property)', async () => {
    const op = fc.record({
      key: fc.integer({ min: 0, max: 12 }),
      tombstone: fc.boolean(),
      value: fc.string({ maxLength: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom(...CODECS),
        fc.integer({ min: 200, max: 2000 }),
        async (batches, codec, segmentBytes) => {
          let now = T0;
          const log = compactedLog({ segmentBytes }, () => now);
          const original: KV[] = [];
          for (const b of batches) {
            const kvs = b.map((o) => ({
              key: `k${o.key}`,
              value: o.tombstone && o.key % 3 === 0 ? null : o.value,
              timestamp: T0,
            }));
            log.append(kvBatch(kvs, { compression: codec }));
            original.push(...kvs);
          }
          const before = readRecords(log);
          const boundary = log.activeSegment.baseOffset;
          await cleanLog(log, { now: () => now, sliceMs: 0 });
          const after1 = readRecords(log);
          // Offsets strictly increase and each survivor is the original record at that offset.
          for (let i = 1; i < after1.length; i++) assert.ok(after1[i]!.offset > after1[i - 1]!.offset);
          for (const r of after1) {
            const o = original[r.offset]!;
            assert.equal(r.key, o.key);
            assert.equal(r.value, o.value);
          }
          // A consumer from the beginning ends with the same state.
          assert.deepEqual(latestState(after1), latestState(before));
          // In the cleaned range no key appears twice.
          const cleanedKeys = after1.filter((r) => r.offset < boundary).map((r) => r.key);
          assert.equal(new Set(cleanedKeys).size, cleanedKeys.length);
          // Once the delete horizon has passed, tombstones leave the cleaned range.
          now = T0 + 1001;
          await cleanLog(log, { now: () => now, sliceMs: 0 });
          const after2 = readRecords(log);
          assert.deepEqual(latestState(after2), latestState(before));
          assert.ok(!after2.some((r) => r.offset < boundary && r.value === null), 'tombstone survived');
          await log.close();
          const reopened = PartitionLog.open(log.dir, { config: log.config });
          assert.deepEqual(readRecords(reopened), after2);
          await reopened.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps tombstones for delete.retention.ms after first seeing them, then removes them', async () => {
    let now = T0;
    const log = compactedLog({ deleteRetentionMs: 5000 }, () => now);
    log.append(
      kvBatch([
        { key: 'a', value: '1' },
        { key: 'b', value: '1' },
      ]),
    );
    log.append(kvBatch([{ key: 'a', value: null }]));
    log.rollActiveSegment();
    log.append(kvBatch([{ key: 'c', value: '1' }]));
    const first = await cleanLog(log, { now: () => now });
    assert.equal(first.skipped, null);
    const kept = readBatches(log).find((b) => b.records.some((r) => r.value === null));
    assert.ok(kept, 'tombstone kept at first');
    assert.ok(kept.header.attributes & DELETE_HORIZON_FLAG, 'delete horizon set');
    assert.equal(kept.header.baseTimestamp, T0 + 5000);
    assert.equal(kept.records[0]!.timestamp, T0, 'record timestamp unchanged');
    assert.equal(readCleanerCheckpoint(log.dir)?.tombstoneHorizon, T0 + 5000);
    now = T0 + 4000;
    const early = await cleanLog(log, { now: () => now });
    assert.equal(early.skipped, 'below-dirty-ratio', 'nothing dirty and horizon not reached');
    now = T0 + 5000;
    const due = await cleanLog(log, { now: () => now });
    assert.equal(due.skipped, null, 'horizon due forces a pass');
    assert.equal(due.tombstonesRemoved, 1);
    assert.deepEqual(
      readRecords(log).map((r) => [r.key, r.value]),
      [
        ['b', '1'],
        ['c', '1'],
      ],
    );
    assert.equal(readCleanerCheckpoint(log.dir)?.tombstoneHorizon, -1);
    await log.close();
  });

  it('re-compresses rewritten batches with their own codec', async () => {
    for (const codec of CODECS) {
      const log = compactedLog({ segmentBytes: 100_000 });
      const big = 'x'.repeat(200);
      log.append(
        kvBatch(
          [
            { key: 'a', value: `${big}1` },
            { key: 'b', value: `${big}1` },
          ],
          { compression: codec },
        ),
      );
      log.append(kvBatch([{ key: 'a', value: `${big}2` }], { compression: codec }));
      log.rollActiveSegment();
      log.append(kvBatch([{ key: 'z', value: 'active' }]));
      await cleanLog(log, { sliceMs: 0 });
      const batches = readBatches(log);
      assert.equal(batches.length, 3, codec);
      const rewritten = batches[0]!;
      assert.equal(rewritten.header.attributes & COMPRESSION_MASK, CODECS.indexOf(codec), codec);
      assert.equal(rewritten.header.lastOffsetDelta, 1, 'last offset delta kept');
      assert.deepEqual(
        rewritten.records.map((r) => [r.offset, r.key, r.value]),
        [[1, 'b', `${big}1`]],
      );
      assert.equal(batches[1]!.records[0]!.value, `${big}2`);
      await log.close();
    }
  });

  it('keeps control batches, drops aborted data, keeps producer fields and bounds at open transactions', async () => {
    const log = compactedLog({ segmentBytes: 100_000 });
    const txn = (producerId: number, seq: number, kvs: KV[]): Buffer =>
      kvBatch(kvs, { producerId, producerEpoch: 3, baseSequence: seq, transactional: true });
    log.append(kvBatch([{ key: 'a', value: 'plain' }]));
    log.append(
      txn(7, 0, [
        { key: 'a', value: 'committed' },
        { key: 'b', value: 'committed' },
      ]),
    ); // 1-2
    log.append(buildControlBatch({ type: 'commit', producerId: 7, producerEpoch: 3 })); // 3
    log.append(
      txn(8, 0, [
        { key: 'b', value: 'aborted' },
        { key: 'c', value: 'aborted' },
      ]),
    ); // 4-5
    log.append(buildControlBatch({ type: 'abort', producerId: 8, producerEpoch: 3 })); // 6
    log.append(
      txn(7, 2, [
        { key: 'x', value: 'x1' },
        { key: 'a', value: 'committed2' },
      ]),
    ); // 7-8
    log.append(buildControlBatch({ type: 'commit', producerId: 7, producerEpoch: 3 })); // 9
    log.append(
      kvBatch([{ key: 'p', value: 'idempotent' }], { producerId: 5, producerEpoch: 0, baseSequence: 4 }),
    ); // 10
    log.append(kvBatch([{ key: 'p', value: 'plain' }])); // 11
    log.rollActiveSegment();
    log.append(txn(9, 0, [{ key: 'x', value: 'open' }])); // 12: transaction still open
    log.rollActiveSegment();
    log.append(kvBatch([{ key: 'x', value: 'later' }])); // 13
    log.rollActiveSegment();
    log.append(kvBatch([{ key: 'y', value: 'active' }]));
    const res = await cleanLog(log, { sliceMs: 0 });
    assert.equal(res.firstUncleanable, 12, 'cleaning stops at the open transaction');
    const batches = readBatches(log);
    const controls = batches.filter((b) => b.header.attributes & CONTROL_FLAG);
    assert.deepEqual(
      controls.map((b) => b.header.baseOffset),
      [3, 6, 9],
      'all markers kept',
    );
    const visible = readRecords(log).filter((r) => r.offset < 12);
    const data = visible.filter((r) => ![3, 6, 9].includes(r.offset));
    assert.deepEqual(
      data.map((r) => [r.offset, r.key, r.value]),
      [
        [2, 'b', 'committed'],
        [7, 'x', 'x1'],
        [8, 'a', 'committed2'],
        [11, 'p', 'plain'],
      ],
      'aborted records gone and never shadow committed ones',
    );
    const rewritten = batches.find((b) => b.header.baseOffset === 1)!;
    assert.equal(rewritten.header.producerId, 7);
    assert.equal(rewritten.header.producerEpoch, 3);
    assert.equal(rewritten.header.baseSequence, 0);
    assert.equal(rewritten.header.lastOffsetDelta, 1);
    assert.ok(rewritten.header.attributes & TRANSACTIONAL_FLAG);
    // The aborted batch goes entirely (producer 8's abort marker remains its last batch).
    assert.equal(
      batches.find((b) => b.header.baseOffset === 4),
      undefined,
    );
    // Producer 5's last batch lost its only record: kept empty so its sequence state survives.
    const emptied = batches.find((b) => b.header.baseOffset === 10)!;
    assert.equal(emptied.records.length, 0);
    assert.equal(emptied.header.producerId, 5);
    assert.equal(emptied.header.baseSequence, 4);
    assert.equal(emptied.header.lastOffsetDelta, 0);
    // Beyond the open transaction nothing was touched.
    assert.deepEqual(
      readRecords(log)
        .filter((r) => r.offset >= 12)
        .map((r) => r.value),
      ['open', 'later', 'active'],
    );
    await log.close();
  });

  it('respects min.compaction.lag.ms and min.cleanable.dirty.ratio, and max.compaction.lag.ms forces a pass', async () => {
    let now = T0 + 10_000;
    const log = compactedLog({ minCompactionLagMs: 5000, minCleanableDirtyRatio: 0.9 }, () => now);
    for (let i = 0; i < 3; i++) {
      log.append(kvBatch([{ key: 'k', value: `old${i}`, timestamp: T0 }]));
      log.rollActiveSegment();
    }
    for (let i = 0; i < 3; i++) {
      log.append(kvBatch([{ key: 'k', value: `new${i}`, timestamp: T0 + 9000 }]));
      log.rollActiveSegment();
    }
    log.append(kvBatch([{ key: 'z', value: 'active', timestamp: now }]));
    const res = await cleanLog(log, { now: () => now });
    assert.equal(res.firstUncleanable, 3, 'young segments are not cleanable');
    assert.equal(res.skipped, null);
    assert.deepEqual(
      readRecords(log).map((r) => r.value),
      ['old2', 'new0', 'new1', 'new2', 'active'],
    );
    // Now everything is old enough, but only half the cleanable log is dirty: below 0.9.
    now = T0 + 20_000;
    const low = await cleanLog(log, { now: () => now });
    assert.equal(low.skipped, 'below-dirty-ratio');
    log.setConfig({ maxCompactionLagMs: 1000 });
    const forced = await cleanLog(log, { now: () => now });
    assert.equal(forced.skipped, null, 'max.compaction.lag.ms forces cleaning');
    assert.deepEqual(
      readRecords(log).map((r) => r.value),
      ['new2', 'active'],
    );
    await log.close();
  });

  it('lets produce and fetch run while cleaning and swaps atomically for readers', async () => {
    const log = compactedLog({ segmentBytes: 64 * 1024 });
    const keys = 200;
    for (let i = 0; i < 20_000; i += 50) {
      const kvs = Array.from({ length: 50 }, (_, j) => ({ key: `k${(i + j) % keys}`, value: `v${i + j}` }));
      log.append(kvBatch(kvs, { compression: 'lz4' }));
    }
    log.rollActiveSegment();
    const expected = latestState(readRecords(log));
    let appends = 0;
    let reads = 0;
    let stop = false;
    const busy = (async () => {
      while (!stop) {
        log.append(kvBatch([{ key: `new${appends}`, value: 'x' }]));
        appends++;
        // A fetch somewhere in the log, and now and then a full read that must show every key.
        const at = log.logStartOffset + Math.floor(Math.random() * (log.logEndOffset - log.logStartOffset));
        assert.ok(!('error' in log.read(at, 64 * 1024, { minOneBatch: true })));
        if (appends % 20 === 0) {
          const state = latestState(readRecords(log));
          for (const [k, v] of expected) assert.equal(state.get(k), v, `key ${k} during cleaning`);
          reads++;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const t = performance.now();
    const res = await cleanLog(log, { sliceMs: 2 });
    const ms = performance.now() - t;
    stop = true;
    await busy;
    assert.equal(res.skipped, null);
    assert.ok(appends >= 3 && reads >= 3, `produce/fetch starved: ${appends} appends during ${ms} ms`);
    const after1 = readRecords(log);
    for (const [k, v] of expected) assert.equal(latestState(after1).get(k), v);
    assert.ok(after1.length < keys + appends + 50);
    console.log(
      `# cleaner: ${res.recordsRead} records in ${ms.toFixed(0)} ms = ${Math.round((res.recordsRead / ms) * 1000)} records/s (lz4), ${appends} appends and ${reads} full reads meanwhile`,
    );
    await log.close();
  });
});
