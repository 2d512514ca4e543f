import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KafkaRecord, RecordsBatch } from '@platformatic/kafka';
import { nextFetchOffset, recordsFromBatches } from '../../src/client/consumed-record.ts';

function record(offsetDelta: number, value: string | null, key: string | null = null): KafkaRecord {
  return {
    length: 0,
    attributes: 0,
    timestampDelta: BigInt(offsetDelta * 10),
    offsetDelta,
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: [[Buffer.from('h'), Buffer.from('v')]],
  };
}

function batch(firstOffset: bigint, records: KafkaRecord[], extra: Partial<RecordsBatch> = {}): RecordsBatch {
  return {
    firstOffset,
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: 0,
    lastOffsetDelta: records.length - 1,
    firstTimestamp: 1_000n,
    maxTimestamp: 9_999n,
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: -1,
    records,
    ...extra,
  };
}

test('absolute offsets and timestamps; records before the fetch position dropped', () => {
  const batches = [batch(10n, [record(0, 'a'), record(1, 'b', 'k'), record(2, 'c')])];
  const out = recordsFromBatches('t', 2, batches, 11n);
  assert.deepEqual(
    out.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString()]),
    [
      [11n, 1_010n, 'k', 'b'],
      [12n, 1_020n, null, 'c'],
    ],
  );
  assert.equal(out[0]?.partition, 2);
  assert.equal(out[0]?.headers[0]?.[0].toString(), 'h');
  assert.equal(nextFetchOffset(batches, 11n), 13n);
  assert.equal(nextFetchOffset([], 11n), 11n);
});

test('log-append-time batches use the batch max timestamp', () => {
  const out = recordsFromBatches('t', 0, [batch(0n, [record(0, 'a')], { attributes: 0x08 })], 0n);
  assert.equal(out[0]?.timestamp, 9_999n);
});

test('control batches and aborted transactions are skipped, committed ones kept', () => {
  const abortKey = Buffer.from([0, 0, 0, 0]);
  const commitKey = Buffer.from([0, 0, 0, 1]);
  const marker = (offset: bigint, producerId: bigint, key: Buffer): RecordsBatch =>
    batch(offset, [{ ...record(0, null), key }], { attributes: 0x30, producerId });
  const batches = [
    batch(0n, [record(0, 'aborted')], { attributes: 0x10, producerId: 7n }),
    batch(1n, [record(0, 'committed')], { attributes: 0x10, producerId: 8n }),
    marker(2n, 7n, abortKey),
    marker(3n, 8n, commitKey),
    batch(4n, [record(0, 'later')], { attributes: 0x10, producerId: 7n }),
  ];
  const out = recordsFromBatches('t', 0, batches, 0n, [{ producerId: 7n, firstOffset: 0n }]);
  assert.deepEqual(
    out.map((r) => r.value?.toString()),
    ['committed', 'later'],
  );
});
