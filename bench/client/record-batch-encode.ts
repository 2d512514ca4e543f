/**
 * CPU per record of encoding one RecordBatch of 2,000 emitter-shaped records (about 200 B value, a
 * key, six ce_* headers): src/client/record-batch-encoder.ts against @platformatic/kafka's
 * createRecordsBatch, uncompressed and lz4. Single process, no broker.
 *
 *   node bench/client/record-batch-encode.ts [rounds]
 */
import { createRecordsBatch } from '@platformatic/kafka';
import { type BatchRecord, encodeRecordBatch } from '../../src/client/record-batch-encoder.ts';

const rounds = Number(process.argv[2] ?? 200);
const value = Buffer.from(
  JSON.stringify({ item: 'sku-1234567', user: 'u-42', price: 12.5, tags: ['a', 'b'], note: 'x'.repeat(100) }),
);
const records: (BatchRecord & {
  key: Buffer;
  value: Buffer;
  timestamp: number;
  headers: [Buffer, Buffer][];
})[] = Array.from({ length: 2000 }, (_, i) => ({
  key: Buffer.from(`user-${i % 1000}`),
  value,
  timestamp: Date.now(),
  headers: [
    [Buffer.from('ce_specversion'), Buffer.from('1.0')],
    [Buffer.from('ce_id'), Buffer.from(`0190-${i}`)],
    [Buffer.from('ce_source'), Buffer.from('/probe')],
    [Buffer.from('ce_type'), Buffer.from('item.viewed')],
    [Buffer.from('ce_time'), Buffer.from(new Date().toISOString())],
    [Buffer.from('content-type'), Buffer.from('application/json')],
  ],
}));
const messages = records.map((r) => ({
  topic: 't',
  key: r.key,
  value: r.value,
  timestamp: BigInt(r.timestamp),
  headers: new Map(r.headers),
}));

function cpuPerRecord(fn: () => void): number {
  for (let i = 0; i < 20; i++) fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / rounds / records.length;
}

for (const compression of ['none', 'lz4'] as const) {
  const ours = cpuPerRecord(() => {
    encodeRecordBatch(records, { compression, producerId: 1n, producerEpoch: 0, baseSequence: 0 });
  });
  const theirs = cpuPerRecord(() => {
    void createRecordsBatch(messages, { compression, producerId: 1n, producerEpoch: 0, firstSequence: 0 })
      .buffer;
  });
  console.log(
    `${compression}: record-batch-encoder ${ours.toFixed(2)} µs/record, @platformatic/kafka createRecordsBatch ${theirs.toFixed(2)} µs/record`,
  );
}
