/**
 * Response framing for the raw fetch path: the splitter hands its listener whole frames however
 * the bytes were cut into chunks (a frame inside one chunk as a view, one spanning chunks copied
 * into a pooled buffer), and the pool hands a given-back buffer out again only to a later frame.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameSplitter, ResponseBufferPool } from '../../src/client/response-frames.ts';

function frame(size: number, seed: number): Buffer {
  const b = Buffer.alloc(4 + size);
  b.writeInt32BE(size, 0);
  for (let i = 0; i < size; i++) b[4 + i] = (seed * 31 + i) & 0xff;
  return b;
}

/** A deterministic pseudo-random sequence (no flaky cuts). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

test('whole frames come out in order however the stream is cut into chunks', () => {
  const sizes = [0, 1, 3, 100, 70_000, 5, 200_000, 32 * 1024, 2, 1_000_000, 4];
  const frames = sizes.map((n, i) => frame(n, i));
  const stream = Buffer.concat(frames);
  for (const [seed, maxChunk] of [
    [1, 1],
    [2, 7],
    [3, 4096],
    [4, 65536],
    [5, 3_000_000],
  ] as const) {
    const random = rng(seed);
    const pool = new ResponseBufferPool();
    const out: Buffer[] = [];
    const split = frameSplitter((f) => out.push(Buffer.from(f)), pool);
    for (let at = 0; at < stream.length; ) {
      const n = maxChunk === 1 ? 1 : 1 + Math.floor(random() * maxChunk);
      split(stream.subarray(at, at + n));
      at += n;
    }
    assert.equal(out.length, frames.length, `chunks up to ${maxChunk}`);
    for (let i = 0; i < frames.length; i++)
      assert.ok(out[i]!.equals(frames[i]!), `frame ${i}, chunks up to ${maxChunk}`);
  }
});

test('a frame inside one chunk is a view of it; one spanning chunks is a pooled copy', () => {
  const pool = new ResponseBufferPool();
  const seen: Buffer[] = [];
  const split = frameSplitter((f) => seen.push(f), pool);
  const small = frame(10, 1);
  const chunk = Buffer.concat([small, frame(100_000, 2)]);
  split(chunk.subarray(0, 60_000));
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.buffer, chunk.buffer); // no copy
  split(chunk.subarray(60_000));
  assert.equal(seen.length, 2);
  assert.notEqual(seen[1]!.buffer, chunk.buffer);
  assert.ok(seen[1]!.equals(chunk.subarray(small.length)));
  // given back, its buffer holds the next large frame that spans chunks
  assert.ok(pool.give(seen[1]!));
  assert.equal(pool.spareCount, 1);
  const next = frame(90_000, 3);
  split(next.subarray(0, 1000));
  split(next.subarray(1000));
  assert.equal(seen[2]!.buffer, seen[1]!.buffer);
  assert.ok(seen[2]!.equals(next));
  assert.equal(pool.spareCount, 0);
});

test('the pool takes back only its own buffers, once each', () => {
  const pool = new ResponseBufferPool();
  assert.equal(pool.give(Buffer.alloc(100_000)), false);
  const a = pool.take(100_000);
  assert.equal(a.length, 100_000);
  assert.ok(pool.give(a.subarray(5, 10)));
  assert.equal(pool.give(a), false); // already spare
  const b = pool.take(50_000);
  assert.equal(b.buffer, a.buffer);
  const c = pool.take(50_000);
  assert.notEqual(c.buffer, a.buffer);
  // small frames are plain allocations, never pooled
  assert.equal(pool.give(pool.take(100)), false);
});

test('bytes that are not a frame (a TLS server answering, a size past any response) pass through as they came', () => {
  const tls = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x2a, 1, 2, 3, 4, 5]);
  for (const cut of [0, 1, 2, 3, 4, 7]) {
    const out: Buffer[] = [];
    const split = frameSplitter((f) => out.push(Buffer.from(f)), new ResponseBufferPool());
    const ok = frame(3, 9);
    split(Buffer.concat([ok, tls.subarray(0, cut)]));
    split(tls.subarray(cut));
    split(Buffer.from('later'));
    assert.ok(out[0]!.equals(ok), `cut ${cut}`);
    assert.ok(Buffer.concat(out.slice(1)).equals(Buffer.concat([tls, Buffer.from('later')])), `cut ${cut}`);
  }
});

test('new pooled buffers: powers of two up to 1 MiB, then whole MiBs', () => {
  const pool = new ResponseBufferPool();
  assert.equal(pool.take(40_000).buffer.byteLength, 64 * 1024);
  assert.equal(pool.take(600_000).buffer.byteLength, 1024 * 1024);
  assert.equal(pool.take(4 * 1024 * 1024 + 300).buffer.byteLength, 5 * 1024 * 1024);
});
