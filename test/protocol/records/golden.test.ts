/**
 * Golden bytes from real clients, and live interop with @platformatic/kafka's independent encoder
 * (wasm snappy in raw format, its own LZ4 frame writer).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRecordsBatch, Reader as PlatformaticReader, readRecordsBatch } from '@platformatic/kafka';
import {
  buildRecordBatch,
  decodeRecordBatch,
  isBatchCrcValid,
  splitBatches,
  validateProducedBatches,
} from '../../../src/protocol/records/index.ts';

/**
 * Captured from KafkaJS 2.2.4: the partition record_set of a Produce v3 request built by
 * kafkajs/src/protocol/requests/produce/v3/request.js with messages
 *   { key 'k1', value 'hello', headers { h: 'v' }, timestamp 1700000000000 },
 *   { key null, value 'world', timestamp 1700000000005 }.
 */
const KAFKAJS_NONE = Buffer.from(
  '0000000000000000' + // baseOffset 0
    '0000004f' + // batchLength 79
    '00000000' + // partitionLeaderEpoch 0
    '02' + // magic 2
    'd64388f1' + // crc
    '0000' + // attributes: no compression, create time
    '00000001' + // lastOffsetDelta 1
    '0000018bcfe56800' + // baseTimestamp 1700000000000
    '0000018bcfe56805' + // maxTimestamp 1700000000005
    'ffffffffffffffff' + // producerId -1
    '0000' + // producerEpoch 0
    '00000000' + // baseSequence 0
    '00000002' + // recordCount 2
    '22000000046b310a68656c6c6f020268027616000a02010a776f726c6400', // two records
  'hex',
);
/** Same messages with CompressionTypes.GZIP (gzip mtime 0, so the bytes are stable). */
const KAFKAJS_GZIP = Buffer.from(
  '0000000000000000000000630000000002006ac91b0001000000010000018bcfe568000000018bcfe56805ffffffffffffffff' +
    '000000000000000000021f8b08000000000000035362606060c936e4ca48cdc9c96762ca602a1363e06262e42acf2fca4961' +
    '00002e1cd0241e000000',
  'hex',
);

const T0 = 1_700_000_000_000;

describe('golden bytes', () => {
  for (const [name, buf, codec] of [
    ['KafkaJS uncompressed', KAFKAJS_NONE, 0],
    ['KafkaJS gzip', KAFKAJS_GZIP, 1],
  ] as const) {
    it(`decodes and validates a ${name} batch`, () => {
      assert.ok(isBatchCrcValid(buf));
      assert.ok(validateProducedBatches(buf, { maxMessageBytes: 1 << 20, deepValidate: true }).ok);
      const { header, records } = decodeRecordBatch(buf);
      assert.equal(header.attributes, codec);
      assert.equal(header.baseTimestamp, T0);
      assert.equal(header.maxTimestamp, T0 + 5);
      assert.equal(header.producerId, -1);
      assert.deepEqual(records, [
        {
          offsetDelta: 0,
          timestampDelta: 0,
          key: Buffer.from('k1'),
          value: Buffer.from('hello'),
          headers: [{ key: 'h', value: Buffer.from('v') }],
          attributes: 0,
        },
        {
          offsetDelta: 1,
          timestampDelta: 5,
          key: null,
          value: Buffer.from('world'),
          headers: [],
          attributes: 0,
        },
      ]);
    });
  }

  it('builds the KafkaJS uncompressed batch byte for byte', () => {
    const built = buildRecordBatch({
      records: [
        {
          key: Buffer.from('k1'),
          value: Buffer.from('hello'),
          headers: [{ key: 'h', value: Buffer.from('v') }],
          timestamp: T0,
        },
        { key: null, value: Buffer.from('world'), timestamp: T0 + 5 },
      ],
      partitionLeaderEpoch: 0,
      producerEpoch: 0,
      baseSequence: 0,
    });
    assert.equal(built.toString('hex'), KAFKAJS_NONE.toString('hex'));
  });

  it('splits a fetch-like buffer of both with a partial tail', () => {
    const all = Buffer.concat([KAFKAJS_NONE, KAFKAJS_GZIP, KAFKAJS_NONE.subarray(0, 40)]);
    const res = splitBatches(all);
    assert.equal(res.batches.length, 2);
    assert.equal(res.completeBytes, KAFKAJS_NONE.length + KAFKAJS_GZIP.length);
    assert.equal(res.partialBytes, 40);
  });
});

describe('interop with @platformatic/kafka', () => {
  const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
  const messages = () => [
    { topic: 't', key: Buffer.from('key-a'), value: Buffer.from('a'.repeat(300)), timestamp: BigInt(T0) },
    {
      topic: 't',
      key: Buffer.from('key-b'),
      value: Buffer.from('b'.repeat(5000)),
      headers: new Map([[Buffer.from('trace'), Buffer.from('xyz')]]),
      timestamp: BigInt(T0 + 9),
    },
  ];

  for (const [id, compression] of codecs.entries()) {
    it(`decodes its ${compression} batches`, () => {
      // biome-ignore lint/suspicious/noExplicitAny: the client's message type wants its own branded fields
      const buf: Buffer = createRecordsBatch(messages() as any, { compression }).buffer;
      const res = validateProducedBatches(buf, { maxMessageBytes: 1 << 20, deepValidate: true });
      assert.ok(res.ok, JSON.stringify(res));
      const { header, records } = decodeRecordBatch(buf);
      assert.equal(header.attributes & 7, id);
      assert.equal(records[0]?.value?.toString(), 'a'.repeat(300));
      assert.equal(records[1]?.value?.toString(), 'b'.repeat(5000));
      assert.deepEqual(records[1]?.headers, [{ key: 'trace', value: Buffer.from('xyz') }]);
      assert.equal(header.baseTimestamp + (records[1]?.timestampDelta ?? 0), T0 + 9);
    });

    it(`its decoder reads our ${compression} batches`, () => {
      const buf = buildRecordBatch({
        compression,
        records: [
          { key: Buffer.from('k'), value: Buffer.from('x'.repeat(70_000)), timestamp: T0 },
          {
            key: null,
            value: Buffer.from('second'),
            headers: [{ key: 'h', value: Buffer.from('1') }],
            timestamp: T0 + 1,
          },
        ],
      });
      const batch = readRecordsBatch(PlatformaticReader.from(buf));
      assert.equal(batch.records.length, 2);
      assert.equal(batch.records[0]?.value?.toString(), 'x'.repeat(70_000));
      assert.equal(batch.records[1]?.value?.toString(), 'second');
      assert.equal(batch.records[1]?.headers[0]?.[0]?.toString(), 'h');
    });
  }
});
