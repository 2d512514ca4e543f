/**
 * The hand-written Produce v9 codec of the lean connections (src/client/produce-wire.ts) against
 * the broker's generated codecs (src/protocol, from Kafka's JSON specs): a request it encodes reads
 * back field for field (also as chunks, large batches not copied), and a response the broker's
 * encoder writes (errors, record errors, the tagged fields of v10, several topics) is parsed to
 * the same answers; a truncated one is an error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeProduceRequest,
  encodeProduceRequestChunks,
  ProduceWireError,
  parseProduceResponse,
} from '../../src/client/produce-wire.ts';
import { readProduceRequest } from '../../src/protocol/generated/messages/produce-request.ts';
import {
  defaultProduceResponsePartitionProduceResponse,
  writeProduceResponse,
} from '../../src/protocol/generated/messages/produce-response.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';
import { Writer } from '../../src/protocol/primitives/writer.ts';

test('a request reads back with the generated ProduceRequest v9 decoder', () => {
  const batches = [Buffer.from('batch-a'), Buffer.alloc(300, 7), Buffer.from('é-utf8-batch')];
  for (const transactionalId of [null, 'tx-ü']) {
    const header = 17;
    const buf = encodeProduceRequest(header, transactionalId, -1, 30_000, [
      {
        name: 'orders',
        partitions: [
          { partition: 0, batch: batches[0]! },
          { partition: 5, batch: batches[1]! },
        ],
      },
      { name: 'tópico', partitions: [{ partition: 2, batch: batches[2]! }] },
    ]);
    const r = new Reader(buf, header);
    const m = readProduceRequest(r, 9);
    assert.equal(r.remaining, 0);
    assert.equal(m.transactionalId, transactionalId);
    assert.equal(m.acks, -1);
    assert.equal(m.timeoutMs, 30_000);
    assert.deepEqual(
      m.topicData.map((t) => [t.name, t.partitionData.map((p) => [p.index, p.records])]),
      [
        [
          'orders',
          [
            [0, batches[0]],
            [5, batches[1]],
          ],
        ],
        ['tópico', [[2, batches[2]]]],
      ],
    );
  }
});

test('as chunks, batches of ownChunkBytes or more are not copied and the request reads back the same', () => {
  const batches = [Buffer.from('small'), Buffer.alloc(300, 7), Buffer.alloc(64, 9), Buffer.alloc(500, 3)];
  const topics = [
    {
      name: 'orders',
      partitions: [
        { partition: 0, batch: batches[0]! },
        { partition: 1, batch: batches[1]! },
        { partition: 2, batch: batches[2]! },
      ],
    },
    { name: 'tópico', partitions: [{ partition: 3, batch: batches[3]! }] },
  ];
  const header = 17;
  const whole = encodeProduceRequest(header, 'tx', -1, 30_000, topics);
  const chunks = encodeProduceRequestChunks(header, 'tx', -1, 30_000, topics, 300);
  // The two large batches are chunks of their own (the same Buffers), the rest in between.
  assert.equal(chunks.length, 5);
  assert.equal(chunks[1], batches[1]);
  assert.equal(chunks[3], batches[3]);
  const joined = Buffer.concat(chunks);
  assert.deepEqual(joined.subarray(header), whole.subarray(header));
  const m = readProduceRequest(new Reader(joined, header), 9);
  assert.deepEqual(
    m.topicData.map((t) => t.partitionData.map((p) => p.records)),
    [[batches[0], batches[1], batches[2]], [batches[3]]],
  );
  // Nothing large: one chunk, as encodeProduceRequest.
  const one = encodeProduceRequestChunks(header, null, 1, 5, [
    { name: 't', partitions: [{ partition: 0, batch: batches[0]! }] },
  ]);
  assert.equal(one.length, 1);
});

test('responses written by the generated ProduceResponse encoder (v9, v10 with tagged fields) parse to the same answers', () => {
  const part = (index: number, errorCode: number, baseOffset: bigint, extra = {}) => ({
    ...defaultProduceResponsePartitionProduceResponse(),
    index,
    errorCode,
    baseOffset,
    logAppendTimeMs: 1_700_000_000_000n,
    logStartOffset: 3n,
    ...extra,
  });
  for (const v of [9, 10, 11]) {
    const w = new Writer();
    writeProduceResponse(w, v, {
      responses: [
        {
          name: 'orders',
          partitionResponses: [
            part(0, 0, 12_345_678_901n),
            part(1, 10, -1n, {
              recordErrors: [{ batchIndex: 3, batchIndexErrorMessage: 'too big' }],
              errorMessage: null,
            }),
            part(2, 6, -1n, {
              errorMessage: 'not the leader',
              currentLeader: { leaderId: 2, leaderEpoch: 7 },
            }),
          ],
        },
        { name: 'ünïcode', partitionResponses: [part(4, 0, 0n)] },
      ],
      throttleTimeMs: 5,
      nodeEndpoints: v >= 10 ? [{ nodeId: 2, host: 'broker-2', port: 9093, rack: null }] : [],
    });
    const body = w.toBuffer();
    assert.deepEqual(parseProduceResponse(body), [
      { topic: 'orders', partition: 0, errorCode: 0, errorMessage: null, baseOffset: 12_345_678_901n },
      { topic: 'orders', partition: 1, errorCode: 10, errorMessage: 'record 3: too big', baseOffset: -1n },
      { topic: 'orders', partition: 2, errorCode: 6, errorMessage: 'not the leader', baseOffset: -1n },
      { topic: 'ünïcode', partition: 4, errorCode: 0, errorMessage: null, baseOffset: 0n },
    ]);
    for (const cut of [1, 10, body.length - 1]) {
      assert.throws(() => parseProduceResponse(body.subarray(0, cut)), ProduceWireError);
    }
  }
});
