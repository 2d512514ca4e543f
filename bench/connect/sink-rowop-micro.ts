/**
 * The Postgres sink task's own CPU per row without I/O (`node --max-semi-space-size=4
 * bench/connect/sink-rowop-micro.ts`): rowOp (the compiled row texts) and copyData (the COPY
 * bytes) over 20,000 converted Debezium records of the bench's 10-column table, 2,000 per batch;
 * prints µs per row for rounds 4-8 of 8.
 */
import type { SinkRecord } from '../../src/connect/api/index.ts';
import { JsonConverter } from '../../src/connect/converters/json-converter.ts';
import { envelope, sourceStruct } from '../../src/connectors/postgres-cdc/envelope.ts';
import { readSinkConfig } from '../../src/connectors/postgres-sink/config.ts';
import { rowOp, type WriteOp } from '../../src/connectors/postgres-sink/record.ts';
import { copyData } from '../../src/connectors/postgres-sink/writer.ts';
import { bench10Envelope, bench10Key, bench10Row } from './bench10-schema.ts';

const ROWS = 20_000;
const row = bench10Row('snap');
const keySchema = bench10Key('snap');
const schema = bench10Envelope('snap', row);
const w = new JsonConverter();
w.configure({}, false);
const r = new JsonConverter();
r.configure({}, false);
const records: SinkRecord[] = [];
for (let i = 1; i <= ROWS; i++) {
  const after = {
    id: i,
    name: `name ${i}`,
    email: `user${i}@example.com`,
    age: i % 90,
    score: i / 7,
    active: i % 2 === 0,
    created: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace('.000Z', 'Z'),
    balance: Buffer.from((i * 125).toString(16).padStart(8, '0'), 'hex'),
    note: 'a short note',
    born: 10_957 + (i % 9000),
  };
  const source = sourceStruct({
    version: '3.0.0',
    serverName: 'snap',
    db: 'snap',
    schema: 'public',
    table: 'bench10',
    tsUs: Date.now() * 1000,
    snapshot: 'true',
    lastCommitLsn: null,
    lsn: 123456n,
    txId: 789,
  });
  const v = r.toConnectData('t', [], w.fromConnectData('t', [], schema, envelope('r', null, after, source)));
  records.push({
    topic: 'snap.public.bench10',
    kafkaPartition: 0,
    kafkaOffset: BigInt(i),
    keySchema,
    key: { id: i },
    valueSchema: v.schema,
    value: v.value,
    timestamp: 0,
    timestampType: 'CreateTime',
    headers: [],
    originalTopic: 'snap.public.bench10',
    originalKafkaPartition: 0,
    originalKafkaOffset: BigInt(i),
    raw: { key: null, value: null, headers: [], timestamp: 0 },
  } as SinkRecord);
}
const config = readSinkConfig({
  'connector.class': 'x',
  'connection.url': 'postgres://u:p@127.0.0.1:5432/db',
  topics: 'snap.public.bench10',
  'table.name.format': 'bench10',
  'insert.mode': 'upsert',
  'pk.mode': 'record_key',
  'auto.create': 'true',
});
for (let round = 0; round < 8; round++) {
  const t = process.cpuUsage();
  let bytes = 0;
  for (let rep = 0; rep < 5; rep++) {
    for (let i = 0; i < ROWS; i += 2000) {
      const ops: WriteOp[] = [];
      for (let j = i; j < i + 2000; j++) ops.push(rowOp(config, records[j]!) as WriteOp);
      bytes += copyData(ops).length;
    }
  }
  const u = process.cpuUsage(t);
  if (round >= 3)
    console.log(
      `rowOp + copyData ${((u.user + u.system) / (5 * ROWS)).toFixed(3)} µs/row (${bytes / (5 * ROWS)} B/row)`,
    );
}
