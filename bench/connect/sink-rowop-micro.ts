/**
 * The Postgres sink task's own CPU per row without I/O (`node --max-semi-space-size=4
 * bench/connect/sink-rowop-micro.ts`): rowOp (the compiled row texts) and copyData (the COPY
 * bytes) over 20,000 converted Debezium records of the bench's 10-column table, 2,000 per batch;
 * prints µs per row for rounds 4-8 of 8.
 */
import type { SinkRecord } from '../../src/connect/api/index.ts';
import { JsonConverter } from '../../src/connect/converters/json-converter.ts';
import { envelope } from '../../src/connectors/postgres-cdc/envelope.ts';
import { readSinkConfig } from '../../src/connectors/postgres-sink/config.ts';
import { rowOp, type WriteOp } from '../../src/connectors/postgres-sink/record.ts';
import { copyData } from '../../src/connectors/postgres-sink/writer.ts';
import {
  bench10After,
  bench10Envelope,
  bench10Key,
  bench10Row,
  bench10SinkConfig,
  bench10Source,
} from './bench10-schema.ts';

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
  const after = bench10After(i);
  const source = bench10Source('snap');
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
const config = readSinkConfig(bench10SinkConfig('postgres://u:p@127.0.0.1:5432/db'));
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
