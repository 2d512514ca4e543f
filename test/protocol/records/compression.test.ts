import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import * as snappy from 'snappy';
import {
  CompressionError,
  compress,
  compressAsync,
  decompress,
  decompressAsync,
} from '../../../src/protocol/records/compression.ts';

const CODECS = [0, 1, 2, 3, 4] as const;

/** snappy-java stream framing built by hand: magic, version 1, compatible 1, then length-prefixed blocks. */
function xerial(blocks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const parts: Buffer[] = [header];
  for (const b of blocks) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b.length);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}

const MAGIC_PREFIX: { [codec: number]: Buffer } = {
  1: Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
  2: xerial([]),
  3: Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]),
  4: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
};

const bytes = fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a));
const repetitive = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 3000 }))
  .map(([a, n]) => Buffer.concat(Array.from({ length: n }, () => Buffer.from(a))));

describe('compression', () => {
  it('round-trips every codec (sync)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CODECS), fc.oneof(bytes, repetitive), (codec, data) => {
        assert.deepEqual(decompress(codec, compress(codec, data)), data);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips every codec (async, and across sync/async)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CODECS), fc.oneof(bytes, repetitive), async (codec, data) => {
        const c = await compressAsync(codec, data);
        assert.deepEqual(await decompressAsync(codec, c), data);
        assert.deepEqual(decompress(codec, c), data);
      }),
      { numRuns: 100 },
    );
  });

  it('accepts codec names', () => {
    const data = Buffer.from('abc'.repeat(100));
    assert.deepEqual(decompress('zstd', compress('zstd', data)), data);
  });

  it('snappy: emits xerial framing with 32 KiB blocks', () => {
    const data = Buffer.alloc(70_000, 7);
    const c = compress(2, data);
    assert.deepEqual(c.subarray(0, 8), Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]));
    assert.equal(c.readInt32BE(8), 1);
    assert.equal(c.readInt32BE(12), 1);
    // three blocks: 32768 + 32768 + 4464 bytes of input
    let at = 16;
    let blocks = 0;
    while (at < c.length) {
      at += 4 + c.readInt32BE(at);
      blocks++;
    }
    assert.equal(at, c.length);
    assert.equal(blocks, 3);
  });

  it('snappy: decodes a hand-built xerial stream (Java client framing)', () => {
    const a = Buffer.from('first block '.repeat(50));
    const b = Buffer.from('second block, different '.repeat(20));
    const framed = xerial([snappy.compressSync(a), snappy.compressSync(b)]);
    assert.deepEqual(decompress(2, framed), Buffer.concat([a, b]));
  });

  it('snappy: decodes raw snappy (librdkafka / KafkaJS style)', () => {
    const data = Buffer.from('raw snappy payload '.repeat(30));
    assert.deepEqual(decompress(2, snappy.compressSync(data)), data);
  });

  it('snappy: xerial header with no blocks is empty', () => {
    assert.equal(decompress(2, xerial([])).length, 0);
  });

  it('snappy: truncated or lying xerial blocks are CompressionError', () => {
    const good = xerial([snappy.compressSync(Buffer.from('hello world'))]);
    assert.throws(() => decompress(2, good.subarray(0, good.length - 1)), CompressionError);
    assert.throws(() => decompress(2, Buffer.concat([good, Buffer.from([0, 0])])), CompressionError);
    const negative = Buffer.from(good);
    negative.writeInt32BE(-5, 16);
    assert.throws(() => decompress(2, negative), CompressionError);
  });

  it('snappy: refuses a block declaring an impossible length before allocating it', () => {
    // uvarint 0xffffffff then one literal byte: 4 GiB from 7 bytes.
    const bomb = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x41]);
    assert.throws(
      () => decompress(2, bomb),
      (e: unknown) => e instanceof CompressionError && /corrupt/.test(e.message),
    );
  });

  it('lz4: emits a frame Java clients read (independent 64 KiB blocks, no checksums)', () => {
    const c = compress(3, Buffer.from('lz4 frame '.repeat(100)));
    assert.equal(c.readUInt32LE(0), 0x184d2204);
    assert.equal(c[4], 0x60); // version 01, block independence, no checksums, no content size
    assert.equal(c[5], 0x40); // max block size 64 KiB
  });

  it('lz4: rejects input without the frame magic', () => {
    assert.throws(() => decompress(3, Buffer.alloc(0)), CompressionError);
    assert.throws(() => decompress(3, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])), CompressionError);
  });

  it('enforces maxOutputLength for every codec', () => {
    const data = Buffer.alloc(100_000);
    for (const codec of [1, 2, 3, 4]) {
      const c = compress(codec, data);
      assert.throws(
        () => decompress(codec, c, { maxOutputLength: 1000 }),
        CompressionError,
        `codec ${codec}`,
      );
      assert.equal(decompress(codec, c, { maxOutputLength: 100_000 }).length, 100_000);
    }
  });

  it('unknown codecs are CompressionError', () => {
    for (const codec of [5, 6, 7, -1, 1.5]) {
      assert.throws(() => compress(codec, Buffer.alloc(1)), CompressionError);
      assert.throws(() => decompress(codec, Buffer.alloc(1)), CompressionError);
    }
    assert.throws(() => compress('brotli' as 'gzip', Buffer.alloc(1)), CompressionError);
  });

  it('corrupt input is CompressionError, with the codec id', async () => {
    const junk = Buffer.from('definitely not compressed data');
    for (const codec of [1, 2, 3, 4]) {
      assert.throws(
        () => decompress(codec, junk),
        (e: unknown) => e instanceof CompressionError && e.codec === codec,
      );
      await assert.rejects(decompressAsync(codec, junk), CompressionError);
    }
  });

  it('random bytes never throw anything but CompressionError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3, 4),
        fc.boolean(),
        fc.uint8Array({ maxLength: 256 }),
        (codec, prefix, a) => {
          // With `prefix`, start like a real stream of that codec so the native decoders get exercised.
          const head = prefix ? (MAGIC_PREFIX[codec] ?? Buffer.alloc(0)) : Buffer.alloc(0);
          try {
            decompress(codec, Buffer.concat([head, Buffer.from(a)]), { maxOutputLength: 1 << 20 });
          } catch (e) {
            assert.ok(e instanceof CompressionError, String(e));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gzip from other producers (concatenated members) decodes', () => {
    const two = Buffer.concat([zlib.gzipSync(Buffer.from('ab')), zlib.gzipSync(Buffer.from('cd'))]);
    assert.equal(decompress(1, two).toString(), 'abcd');
  });
});
