/**
 * Read-ahead for catching-up Fetches: the bytes served from a read-ahead are the log's bytes (the
 * same as a plain read, also across a truncation), a segment removed while a read is in flight
 * keeps its fd until the read is done and the memory goes back to the pool, and what read-aheads
 * hold is bounded per segment, in all, and in time.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { noopLogger } from '../../src/log/logger.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { ReadAhead } from '../../src/log/read-ahead.ts';
import { ReadBufferPool } from '../../src/log/read-buffers.ts';
import { Segment } from '../../src/log/segment.ts';
import { batch, batchesIn, tempDir } from './helpers.ts';

const MAX_BYTES = 64 * 1024;
const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function setup(config: { segmentBytes?: number } = {}) {
  const t = tempDir('samsa-read-ahead-');
  cleanups.push(t.cleanup);
  const pool = new ReadBufferPool();
  const readAhead = new ReadAhead(pool);
  const log = PartitionLog.open(t.dir, { readAhead, config });
  cleanups.push(() => {
    readAhead.close();
    pool.close();
  });
  cleanups.push(() => log.close());
  return { pool, readAhead, log };
}

/** A Fetch-like read: into a lease, with read-ahead, after waiting for one in flight. */
async function fetchRead(log: PartitionLog, pool: ReadBufferPool, offset: number) {
  await log.whenReadAheadReady(offset);
  const lease = pool.lease();
  const r = log.read(offset, MAX_BYTES, { allocate: lease.allocate, adopt: lease.adopt });
  return { r, lease };
}

describe('read-ahead', () => {
  it('serves a catching-up reader the same bytes as plain reads, almost all from read-ahead', async () => {
    const { log, pool, readAhead } = setup();
    for (let i = 0; i < 400; i++) log.append(batch({ records: 50, valueSize: 100 + (i % 7) }));
    let offset = 0;
    let reads = 0;
    while (offset < log.logEndOffset) {
      const { r, lease } = await fetchRead(log, pool, offset);
      assert.ok('records' in r && r.records !== null);
      const plain = log.read(offset, MAX_BYTES);
      assert.ok('records' in plain);
      assert.deepEqual(r.records, plain.records, `read at ${offset}`);
      offset = batchesIn(r.records).at(-1)!.lastOffset + 1;
      lease.release();
      reads++;
    }
    assert.equal(offset, 20_000);
    assert.ok(reads > 25, `${reads} reads`);
    // Every read but the first and the last one (no full read left after it) is a hit.
    assert.ok(readAhead.stats.hits >= reads - 3, `hits ${readAhead.stats.hits} of ${reads} reads`);
    assert.equal(readAhead.bytesHeld, 0, 'every read-ahead was claimed');
    assert.ok(pool.pooledBytes > 0, 'claimed memory went back to the pool with the leases');
  });

  it('never serves bytes read before a truncation', async () => {
    const { log, pool, readAhead } = setup();
    for (let i = 0; i < 100; i++) log.append(batch({ records: 50, valueSize: 100 }));
    const first = await fetchRead(log, pool, 0);
    assert.ok('records' in first.r);
    const next = batchesIn(first.r.records).at(-1)!.lastOffset + 1;
    first.lease.release();
    await log.whenReadAheadReady(next);
    assert.equal(readAhead.stats.started, 1, 'a read-ahead for the next offset');
    log.truncateTo(next);
    for (let i = 0; i < 100; i++) log.append(batch({ records: 40, valueSize: 150 }));
    const { r, lease } = await fetchRead(log, pool, next);
    assert.ok('records' in r && r.records !== null);
    const plain = log.read(next, MAX_BYTES);
    assert.ok('records' in plain);
    assert.deepEqual(r.records, plain.records);
    assert.equal(batchesIn(r.records)[0]!.lastOffset - next, 39, 'the batch written after the cut');
    assert.equal(readAhead.stats.hits, 0, 'the stale read-ahead was dropped');
    lease.release();
    assert.equal(readAhead.stats.started, 2, 'the read after the cut reads ahead afresh');
  });

  it('lets a removed segment keep its fd until the read in flight is done, then returns the memory', async () => {
    const { log, pool, readAhead } = setup({ segmentBytes: 512 * 1024 });
    for (let i = 0; i < 400; i++) log.append(batch({ records: 50, valueSize: 100 }));
    const first = await fetchRead(log, pool, 0);
    assert.ok('records' in first.r);
    const next = batchesIn(first.r.records).at(-1)!.lastOffset + 1;
    first.lease.release();
    assert.equal(readAhead.stats.started, 1);
    // Retention-like removal of the first segments while the read-ahead is in flight.
    const deleted = log.deleteRecordsBefore(15_000);
    assert.ok('logStartOffset' in deleted && deleted.logStartOffset === 15_000);
    assert.equal(log.whenReadAheadReady(next), undefined, 'nothing to wait for: the segment is gone');
    readAhead.sweep(); // the 5 s timer's pass: read-aheads on closed segments go
    for (let i = 0; i < 100 && readAhead.bytesHeld > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(readAhead.bytesHeld, 0, 'the dropped read-ahead gave its memory back once read');
    assert.ok(pool.pooledBytes > 0);
    const gone = log.read(next, MAX_BYTES);
    assert.ok('error' in gone && gone.error === 'OFFSET_OUT_OF_RANGE');
    const rest = await fetchRead(log, pool, 15_000);
    assert.ok('records' in rest.r && rest.r.records !== null);
    assert.ok(batchesIn(rest.r.records)[0]!.lastOffset >= 15_000);
    rest.lease.release();
  });

  it('holds at most 4 read-aheads per segment and 64 MiB in all, and drops unclaimed ones after 5 s', async () => {
    const t = tempDir('samsa-read-ahead-');
    cleanups.push(t.cleanup);
    const pool = new ReadBufferPool();
    let now = 0;
    const readAhead = new ReadAhead(pool, () => now);
    const settings = { indexIntervalBytes: 4096, segmentIndexBytes: 1024 * 1024 };
    const segments = [0, 1000, 2000].map((base) => Segment.create(t.dir, base, settings, noopLogger, 0));
    const size = 8 * 1024 * 1024;
    const settle = () => new Promise((r) => setTimeout(r, 20));
    const [s0, s1, s2] = segments as [Segment, Segment, Segment];
    for (let k = 0; k < 6; k++) readAhead.start(s0, k, 0, size);
    assert.equal(readAhead.heldFor(s0), 4, 'the oldest are dropped beyond 4 per segment');
    await settle();
    assert.equal(readAhead.bytesHeld, 4 * size, 'dropped ones return their memory once read');
    for (const seg of [s1, s2]) for (let k = 0; k < 6; k++) readAhead.start(seg, seg.baseOffset + k, 0, size);
    assert.equal(readAhead.bytesHeld, 64 * 1024 * 1024, 'no read-ahead beyond 64 MiB in all');
    assert.equal(readAhead.heldFor(s1) + readAhead.heldFor(s2), 4);
    await settle();
    now += 4_999;
    readAhead.sweep();
    assert.equal(readAhead.bytesHeld, 64 * 1024 * 1024, 'kept for 5 s');
    now += 1;
    readAhead.sweep();
    await settle();
    assert.equal(readAhead.bytesHeld, 0, 'unclaimed read-aheads are dropped after 5 s');
    for (const seg of segments) seg.close();
    readAhead.close();
    pool.close();
  });
});
