import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../../src/protocol/primitives/index.ts';
import {
  BATCH_HEADER_SIZE,
  buildRecordBatch,
  CompressionError,
  decodeRecordBatch,
  decodeRecordBatchAsync,
  isBatchCrcValid,
  OFFSET_CRC,
  type ProducerRecord,
  readBatchHeader,
  setBaseOffset,
  writeBatchCrc,
} from '../../../src/protocol/records/index.ts';
import { nullableBytes, recordArb } from './arbitraries.ts';

const producerRecordArb: fc.Arbitrary<ProducerRecord> = fc.record(
  {
    key: nullableBytes,
    value: nullableBytes,
    headers: fc.array(
      fc.record({ key: fc.string({ maxLength: 8 }), value: nullableBytes }, { noNullPrototype: true }),
      {
        maxLength: 3,
      },
    ),
    timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
  },
  { noNullPrototype: true },
);

describe('buildRecordBatch / decodeRecordBatch', () => {
  it('round-trips producer records under every codec', () => {
    fc.assert(
      fc.property(
        fc.array(producerRecordArb, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(0, 1, 2, 3, 4),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (input, compression, baseOffset) => {
          const buf = buildRecordBatch({ records: input, compression, baseOffset, partitionLeaderEpoch: 3 });
          assert.ok(isBatchCrcValid(buf));
          const { header, records } = decodeRecordBatch(buf);
          assert.equal(header.batchLength, buf.length - 12);
          assert.equal(header.magic, 2);
          assert.equal(header.baseOffset, baseOffset);
          assert.equal(header.partitionLeaderEpoch, 3);
          assert.equal(header.attributes, compression);
          assert.equal(header.recordCount, input.length);
          assert.equal(header.lastOffsetDelta, input.length - 1);
          assert.equal(header.baseTimestamp, input[0]!.timestamp);
          assert.equal(header.maxTimestamp, Math.max(...input.map((r) => r.timestamp!)));
          assert.equal(header.producerId, -1);
          assert.equal(header.producerEpoch, -1);
          assert.equal(header.baseSequence, -1);
          assert.equal(records.length, input.length);
          records.forEach((r, i) => {
            const p = input[i]!;
            assert.equal(r.offsetDelta, i);
            assert.equal(header.baseTimestamp + r.timestampDelta, p.timestamp);
            assert.deepEqual(r.key, p.key);
            assert.deepEqual(r.value, p.value);
            assert.deepEqual(r.headers, p.headers);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips already-relative records under every codec', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { maxLength: 10 }),
        fc.constantFrom(0, 1, 2, 3, 4),
        async (recs, codec) => {
          const relative = recs.map((r, i) => ({
            ...r,
            offsetDelta: i,
            timestampDelta: r.timestampDelta % 1e9,
          }));
          const buf = buildRecordBatch({
            records: relative,
            compression: codec,
            baseTimestamp: 1_700_000_000_000,
          });
          assert.deepEqual(decodeRecordBatch(buf).records, relative);
          assert.deepEqual((await decodeRecordBatchAsync(buf)).records, relative);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fills in producer, transactional and timestamp-type fields', () => {
    const buf = buildRecordBatch({
      records: [{ key: null, value: Buffer.from('x'), timestamp: 10 }],
      producerId: 1234567890123,
      producerEpoch: 7,
      baseSequence: 42,
      transactional: true,
      timestampType: 'log-append',
      baseTimestamp: 99,
      compression: 'gzip',
    });
    const h = readBatchHeader(buf);
    assert.equal(h.attributes, 1 | 0x08 | 0x10);
    assert.equal(h.producerId, 1234567890123);
    assert.equal(h.producerEpoch, 7);
    assert.equal(h.baseSequence, 42);
    assert.equal(h.baseTimestamp, 99);
    assert.equal(h.maxTimestamp, 99);
  });

  it('defaults missing timestamps to now', () => {
    const before = Date.now();
    const h = readBatchHeader(buildRecordBatch({ records: [{ key: null, value: null }] }));
    assert.ok(h.baseTimestamp >= before && h.baseTimestamp <= Date.now());
    assert.equal(h.maxTimestamp, h.baseTimestamp);
  });

  it('builds an empty batch when asked (compaction keeps these)', () => {
    const buf = buildRecordBatch({ records: [], lastOffsetDelta: 4, baseTimestamp: 5 });
    assert.equal(buf.length, BATCH_HEADER_SIZE);
    const { header, records } = decodeRecordBatch(buf);
    assert.equal(header.recordCount, 0);
    assert.equal(header.lastOffsetDelta, 4);
    assert.deepEqual(records, []);
  });

  it('CRC: valid when built, broker-side fields do not affect it, any flipped bit inside is caught', () => {
    const buf = buildRecordBatch({
      records: [{ key: Buffer.from('k'), value: Buffer.from('value'), timestamp: 1 }],
      compression: 'none',
    });
    setBaseOffset(buf, 1000);
    buf.writeInt32BE(9, 12); // partitionLeaderEpoch
    assert.ok(isBatchCrcValid(buf));
    for (let i = OFFSET_CRC; i < buf.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const t = Buffer.from(buf);
        t[i]! ^= bit;
        assert.equal(isBatchCrcValid(t), false, `byte ${i}`);
        assert.throws(() => decodeRecordBatch(t), DecodeError);
      }
    }
    const t = Buffer.from(buf);
    t[BATCH_HEADER_SIZE + 1]! ^= 0xff;
    assert.doesNotThrow(() => decodeRecordBatch(t, 0, { verifyCrc: false }).header);
    writeBatchCrc(t);
    assert.ok(isBatchCrcValid(t));
  });

  it('decodes a batch at an offset inside a larger buffer', () => {
    const a = buildRecordBatch({ records: [{ key: null, value: Buffer.from('a'), timestamp: 1 }] });
    const b = buildRecordBatch({
      records: [{ key: null, value: Buffer.from('b'), timestamp: 2 }],
      compression: 'lz4',
    });
    const both = Buffer.concat([a, b]);
    assert.equal(decodeRecordBatch(both, a.length).records[0]?.value?.toString(), 'b');
  });

  it('framing errors are DecodeError', () => {
    const buf = buildRecordBatch({ records: [{ key: null, value: Buffer.from('a'), timestamp: 1 }] });
    assert.throws(() => decodeRecordBatch(buf.subarray(0, 60)), DecodeError);
    assert.throws(() => decodeRecordBatch(buf.subarray(0, buf.length - 1)), DecodeError);
    const magic1 = Buffer.from(buf);
    magic1[16] = 1;
    assert.throws(() => decodeRecordBatch(magic1), /magic 1/);
    const tiny = Buffer.from(buf);
    tiny.writeInt32BE(10, 8);
    assert.throws(() => decodeRecordBatch(tiny), DecodeError);
    const count = Buffer.from(buf);
    count.writeInt32BE(2, 57);
    writeBatchCrc(count);
    assert.throws(() => decodeRecordBatch(count), DecodeError);
  });

  it('a corrupt compressed payload is CompressionError; codec 7 too', () => {
    const buf = buildRecordBatch({
      records: [{ key: null, value: Buffer.alloc(100, 1), timestamp: 1 }],
      compression: 'zstd',
    });
    buf[BATCH_HEADER_SIZE + 2]! ^= 0xff;
    writeBatchCrc(buf);
    assert.throws(() => decodeRecordBatch(buf), CompressionError);
    buf.writeInt16BE(7, 21);
    writeBatchCrc(buf);
    assert.throws(() => decodeRecordBatch(buf), CompressionError);
  });

  it('random bytes never throw anything but DecodeError / CompressionError', () => {
    const check = (buf: Buffer) => {
      try {
        decodeRecordBatch(buf, 0, { maxDecompressedBytes: 1 << 20 });
      } catch (e) {
        assert.ok(e instanceof DecodeError || e instanceof CompressionError, String(e));
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (a) => check(Buffer.from(a))),
      { numRuns: 2000 },
    );
    // Valid framing and CRC around random payloads and header values, to reach the record decoder.
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: -1, max: 100 }),
        (payload, codec, count) => {
          const buf = Buffer.alloc(BATCH_HEADER_SIZE + payload.length);
          buf.writeInt32BE(buf.length - 12, 8);
          buf[16] = 2;
          buf.writeInt16BE(codec, 21);
          buf.writeInt32BE(count, 57);
          buf.set(payload, BATCH_HEADER_SIZE);
          writeBatchCrc(buf);
          check(buf);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
