import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Reader, readRecordsBatch } from '@platformatic/kafka';
import fc from 'fast-check';
import { RecordBatchBuilder } from '../../src/client/record-batch-builder.ts';
import { encodeRecordBatch } from '../../src/client/record-batch-encoder.ts';
import { bytes, headers, timestamp } from './batch-arbitraries.ts';

const require = createRequire(import.meta.url);
// An independent CRC-32C (KafkaJS's table-driven JS one).
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

const record = fc.record({
  // text keys and values (any UTF-16, lone surrogates included) are written as their UTF-8 bytes;
  // long non-ASCII text takes a longer length varint than its UTF-16 length would
  key: fc.oneof(bytes, fc.string({ unit: 'binary', maxLength: 80 })),
  value: fc.oneof(
    { arbitrary: bytes, weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', minLength: 2700, maxLength: 3000 }), weight: 1 },
  ),
  headers,
  timestamp,
});

test('built batches decode to the records appended, with a correct CRC; the builder starts over after finish', () => {
  const builder = new RecordBatchBuilder(128);
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), (records) => {
      for (const r of records) builder.append(r.key, r.value, r.timestamp, r.headers);
      assert.equal(builder.count, records.length);
      const buf = builder.finish()!;
      assert.equal(builder.count, 0);
      assert.equal(buf.readInt32BE(8), buf.length - 12);
      assert.equal(buf.readUInt32BE(17), kafkajsCrc32c(buf.subarray(21)));
      const reader = Reader.from(buf);
      const batch = readRecordsBatch(reader);
      assert.equal(reader.position, buf.length);
      assert.equal(batch.magic, 2);
      assert.equal(batch.attributes, 0);
      assert.equal(batch.producerId, -1n);
      assert.equal(batch.firstSequence, -1);
      assert.equal(batch.lastOffsetDelta, records.length - 1);
      assert.equal(batch.firstTimestamp, BigInt(records[0]!.timestamp));
      assert.equal(batch.maxTimestamp, BigInt(Math.max(...records.map((r) => r.timestamp))));
      assert.equal(batch.records.length, records.length);
      batch.records.forEach((got, i) => {
        const want = records[i]!;
        assert.equal(got.offsetDelta, i);
        assert.equal(batch.firstTimestamp + got.timestampDelta, BigInt(want.timestamp));
        assert.deepEqual(got.key, typeof want.key === 'string' ? Buffer.from(want.key) : want.key);
        assert.deepEqual(got.value, typeof want.value === 'string' ? Buffer.from(want.value) : want.value);
        assert.deepEqual(got.headers, want.headers);
      });
    }),
    { numRuns: 300 },
  );
  assert.equal(builder.finish(), null);
});

test('the same records in the same order give the same bytes as the list encoder when timestamps ascend', () => {
  const records = Array.from({ length: 50 }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(JSON.stringify({ i })),
    timestamp: 1_700_000_000_000 + i * 3,
    headers: i % 7 === 0 ? [[Buffer.from('h'), null] as [Buffer, null]] : [],
  }));
  const builder = new RecordBatchBuilder();
  for (const r of records) builder.append(r.key, r.value.toString(), r.timestamp, r.headers);
  const built = builder.finish()!;
  const listed = encodeRecordBatch(
    records.map((r) => ({ ...r, headers: r.headers.length > 0 ? r.headers : undefined })),
  );
  assert.deepEqual(built, listed);
});

test('a recycled batch buffer holds a later batch, which decodes to its own records', () => {
  const builder = new RecordBatchBuilder(8 * 1024);
  const build = (tag: string) => {
    for (let i = 0; i < 20; i++) builder.append(Buffer.from(`${tag}${i}`), `${tag}-value-${i}`, 1_000 + i);
    return builder.finish()!;
  };
  const first = build('a');
  const firstCopy = Buffer.from(first);
  builder.recycle(first);
  const second = build('b');
  assert.equal(second.buffer, first.buffer); // built in the recycled bytes
  const batch = readRecordsBatch(Reader.from(second));
  assert.deepEqual(
    batch.records.map((r) => [r.key?.toString(), r.value?.toString()]),
    Array.from({ length: 20 }, (_, i) => [`b${i}`, `b-value-${i}`]),
  );
  assert.notDeepEqual(second, firstCopy);
  // a buffer too small for the next batch is not used
  builder.recycle(Buffer.alloc(100));
  const third = build('c');
  assert.notEqual(third.buffer.byteLength, 100);
});
