import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Reader, readRecordsBatch } from '@platformatic/kafka';
import fc from 'fast-check';
import {
  type BatchCompression,
  type BatchRecord,
  encodeRecordBatch,
  RecordBatchEncodeError,
  setBatchProducer,
} from '../../src/client/record-batch-encoder.ts';
import { bytes, headers, timestamp } from './batch-arbitraries.ts';

const require = createRequire(import.meta.url);
// Two decoders nobody here wrote: KafkaJS's RecordBatch decoder and CRC-32C (a table-driven JS one).
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
const KafkaJSDecoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const kafkajsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  d: unknown,
) => Promise<{
  inTransaction: boolean;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  records: {
    key: Buffer | null;
    value: Buffer | null;
    timestamp: string;
    headers: Record<string, Buffer | Buffer[]>;
  }[];
}>;

const record: fc.Arbitrary<BatchRecord> = fc.record({
  key: bytes,
  value: bytes,
  headers,
  timestamp,
});
const options = fc.record({
  compression: fc.constantFrom<BatchCompression>('none', 'gzip', 'lz4', 'snappy', 'zstd'),
  producerId: fc.bigInt({ min: -1n, max: 2n ** 62n }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  transactional: fc.boolean(),
});

test('batches decode identically with @platformatic/kafka reader, CRC matches an independent CRC-32C', () => {
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), options, (records, o) => {
      const buf = encodeRecordBatch(records, o);
      assert.equal(buf.readInt32BE(8), buf.length - 12);
      assert.equal(buf.readUInt32BE(17), kafkajsCrc32c(buf.subarray(21)));
      const reader = Reader.from(buf);
      const batch = readRecordsBatch(reader);
      assert.equal(reader.position, buf.length);
      assert.equal(batch.magic, 2);
      assert.equal(batch.attributes & 7, { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[o.compression]);
      assert.equal((batch.attributes & 0x10) !== 0, o.transactional);
      assert.equal(batch.producerId, o.producerId);
      assert.equal(batch.producerEpoch, o.producerEpoch);
      assert.equal(batch.firstSequence, o.baseSequence);
      assert.equal(batch.lastOffsetDelta, records.length - 1);
      const ts = records.map((r) => r.timestamp!);
      assert.equal(batch.firstTimestamp, BigInt(Math.min(...ts)));
      assert.equal(batch.maxTimestamp, BigInt(Math.max(...ts)));
      assert.equal(batch.records.length, records.length);
      batch.records.forEach((got, i) => {
        const want = records[i]!;
        assert.equal(got.offsetDelta, i);
        assert.equal(batch.firstTimestamp + got.timestampDelta, BigInt(want.timestamp!));
        assert.deepEqual(got.key, want.key);
        assert.deepEqual(got.value, want.value);
        assert.deepEqual(
          got.headers,
          want.headers!.map(([k, v]) => [k, v]),
        );
      });
    }),
    { numRuns: 300 },
  );
});

test('KafkaJS decodes uncompressed and gzip batches to the same records', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(record, { minLength: 1, maxLength: 20 }),
      fc.constantFrom<BatchCompression>('none', 'gzip'),
      async (records, compression) => {
        const buf = encodeRecordBatch(records, {
          compression,
          producerId: 7n,
          producerEpoch: 1,
          baseSequence: 9,
        });
        const batch = await kafkajsDecodeBatch(new KafkaJSDecoder(buf));
        assert.equal(batch.producerId, '7');
        assert.equal(batch.firstSequence, 9);
        assert.equal(batch.records.length, records.length);
        batch.records.forEach((got, i) => {
          const want = records[i]!;
          assert.deepEqual(got.key, want.key);
          assert.deepEqual(got.value, want.value);
          assert.equal(got.timestamp, String(want.timestamp));
        });
      },
    ),
    { numRuns: 100 },
  );
});

test('records without timestamp or headers take the batch timestamp and no headers', () => {
  const buf = encodeRecordBatch([{ value: Buffer.from('a') }, { key: Buffer.from('k') }], {
    timestamp: 1234,
  });
  const batch = readRecordsBatch(Reader.from(buf));
  assert.equal(batch.firstTimestamp, 1234n);
  assert.equal(batch.producerId, -1n);
  assert.equal(batch.firstSequence, -1);
  assert.deepEqual(
    batch.records.map((r) => [r.key, r.value, r.headers.length]),
    [
      [null, Buffer.from('a'), 0],
      [Buffer.from('k'), null, 0],
    ],
  );
});

test('setBatchProducer rewrites producer fields and the CRC', () => {
  const buf = encodeRecordBatch([{ value: Buffer.from('x') }], { compression: 'lz4' });
  setBatchProducer(buf, 42n, 3, 100);
  const batch = readRecordsBatch(Reader.from(buf));
  assert.equal(batch.producerId, 42n);
  assert.equal(batch.producerEpoch, 3);
  assert.equal(batch.firstSequence, 100);
  assert.equal(buf.readUInt32BE(17), kafkajsCrc32c(buf.subarray(21)));
});

test('skipCrc leaves the CRC to setBatchProducer, which writes the same one a full encode has', () => {
  const records = [{ key: Buffer.from('k'), value: Buffer.from('x'), timestamp: 5 }];
  const full = encodeRecordBatch(records, { timestamp: 5 });
  const skipped = encodeRecordBatch(records, { timestamp: 5, skipCrc: true });
  assert.equal(skipped.readUInt32BE(17), 0);
  setBatchProducer(full, 7n, 1, 9);
  setBatchProducer(skipped, 7n, 1, 9);
  assert.deepEqual(skipped, full);
  assert.equal(skipped.readUInt32BE(17), kafkajsCrc32c(skipped.subarray(21)));
  // Producer ids beyond 2^53 are still written exactly (as a BigInt).
  setBatchProducer(skipped, 2n ** 62n + 1n, 1, 9);
  assert.equal(readRecordsBatch(Reader.from(skipped)).producerId, 2n ** 62n + 1n);
});

test('bad input is a precise error', () => {
  assert.throws(() => encodeRecordBatch([]), RecordBatchEncodeError);
  assert.throws(() => encodeRecordBatch([{ timestamp: 1.5 }]), /timestamp 1.5 is not an integer/);
  assert.throws(
    () => encodeRecordBatch([{}], { compression: 'brotli' as BatchCompression }),
    /unknown compression brotli/,
  );
});

test('a value given as text is written as its UTF-8 bytes', () => {
  const text = 'héllo \u{1F600} \ud800';
  const buf = encodeRecordBatch(
    [
      { value: text, timestamp: 1 },
      { value: '', timestamp: 2 },
    ],
    {},
  );
  const batch = readRecordsBatch(Reader.from(buf));
  assert.deepEqual(batch.records[0]!.value, Buffer.from(text, 'utf8'));
  assert.deepEqual(batch.records[1]!.value, Buffer.alloc(0));
});

test('a value given as parts is written as their concatenation, compressed or not', () => {
  const parts = [Buffer.alloc(300, 'a'), Buffer.from('b'), Buffer.alloc(0), Buffer.from('héllo')];
  for (const compression of ['none', 'lz4'] as const) {
    const given = encodeRecordBatch(
      [
        { key: Buffer.from('k'), value: parts, timestamp: 1 },
        { value: [], timestamp: 2 },
      ],
      { compression, timestamp: 1 },
    );
    const joined = encodeRecordBatch(
      [
        { key: Buffer.from('k'), value: Buffer.concat(parts), timestamp: 1 },
        { value: Buffer.alloc(0), timestamp: 2 },
      ],
      { compression, timestamp: 1 },
    );
    assert.deepEqual(given, joined);
    const batch = readRecordsBatch(Reader.from(given));
    assert.deepEqual(batch.records[0]!.value, Buffer.concat(parts));
    assert.deepEqual(batch.records[1]!.value, Buffer.alloc(0));
  }
});

test('minCompressBytes: a batch whose records take fewer bytes is written uncompressed, a larger one compressed', () => {
  const small = [{ key: Buffer.from('k'), value: Buffer.from('v'.repeat(100)) }];
  const large = Array.from({ length: 50 }, () => ({
    key: Buffer.from('k'),
    value: Buffer.from('v'.repeat(100)),
  }));
  for (const [records, codec] of [
    [small, 0],
    [large, 3],
  ] as const) {
    const buf = encodeRecordBatch(records, { compression: 'lz4', minCompressBytes: 4096, timestamp: 1 });
    const batch = readRecordsBatch(Reader.from(buf));
    assert.equal(batch.attributes & 7, codec);
    assert.deepEqual(
      batch.records.map((r) => r.value),
      records.map((r) => r.value),
    );
  }
  // Without it, even a one-record batch is compressed as asked.
  assert.equal(
    readRecordsBatch(Reader.from(encodeRecordBatch(small, { compression: 'lz4' }))).attributes & 7,
    3,
  );
});
