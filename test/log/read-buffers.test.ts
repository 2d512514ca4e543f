/** The read-buffer pool: size classes, reuse after release, bounds on what it keeps. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { largestReadWithin, ReadBufferPool } from '../../src/log/read-buffers.ts';

describe('ReadBufferPool', () => {
  it('hands back released memory to the next lease of the same size class', () => {
    const pool = new ReadBufferPool();
    const first = pool.lease();
    const a = first.allocate(3 << 20);
    assert.equal(a.length, 3 << 20);
    assert.equal(a.buffer.byteLength, 4 << 20, 'rounded up to a power-of-two class');
    const second = pool.lease();
    const b = second.allocate(3 << 20);
    assert.notEqual(b.buffer, a.buffer, 'memory still leased is never handed out twice');
    first.release();
    assert.equal(pool.pooledBytes, 4 << 20);
    const third = pool.lease();
    const c = third.allocate((4 << 20) - 100);
    assert.equal(c.buffer, a.buffer, 'released memory is reused');
    assert.equal(pool.pooledBytes, 0);
    first.release();
    assert.equal(pool.pooledBytes, 0, 'a lease releases what it took once');
  });

  it('allocates small reads outside the pool and keeps a bounded number of free buffers', () => {
    const pool = new ReadBufferPool();
    const lease = pool.lease();
    const small = lease.allocate(1000);
    assert.equal(small.length, 1000);
    const many = Array.from({ length: 20 }, () => lease.allocate(100_000));
    assert.equal(new Set(many.map((b) => b.buffer)).size, 20);
    lease.release();
    assert.equal(pool.pooledBytes, 8 * 128 * 1024, 'at most 8 free buffers per class');
  });

  it('drops its free buffers after a quiet window, not while fetches keep taking', () => {
    const pool = new ReadBufferPool();
    const lease = pool.lease();
    lease.allocate(1 << 20);
    lease.release();
    assert.equal(pool.pooledBytes, 1 << 20);
    pool.trimIfIdle();
    assert.equal(pool.pooledBytes, 1 << 20, 'a take happened in this window: kept');
    pool.trimIfIdle();
    assert.equal(pool.pooledBytes, 0, 'a whole window without a take: dropped');
    pool.close();
  });

  it('sizes reads so their buffers fit a memory budget (largestReadWithin), index interval included', () => {
    const pool = new ReadBufferPool();
    // A segment read asks for its max bytes plus the index interval (4 KiB by default) and 2 KiB.
    const slack = 4096 + 2048;
    for (const budget of [0, 1000, 40_000, 65_536, 100_000, 1 << 20, (1 << 20) + 1, 3 << 20, 64 << 20]) {
      const read = largestReadWithin(budget);
      assert.ok(read >= 0, `${budget}: ${read}`);
      const lease = pool.lease();
      if (read > 0) lease.allocate(read + slack);
      assert.ok(lease.bytes <= budget, `budget ${budget}: a read of ${read} holds ${lease.bytes}`);
      lease.release();
    }
    assert.ok(largestReadWithin(64 << 20) > 60 << 20, 'a large budget still allows a large read');
    pool.close();
  });
});
