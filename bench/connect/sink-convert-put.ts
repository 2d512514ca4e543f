/**
 * The sink worker's per-record work without Kafka, in one process, against the embedded PostgreSQL
 * (`node --max-semi-space-size=4 bench/connect/sink-convert-put.ts`, the worker's young generation;
 * add --trace-gc-nvp for what V8 promotes):
 * JsonConverter.toConnectData of key and value (bench10's Debezium envelopes, JSON with schemas),
 * the runner's SinkRecord, and the Postgres sink task's put (background batch writes, 2,000 rows).
 * 280 records at a time (a 1 MiB fetch of these ~3.9 KB records). ROWS rows (default 100,000);
 * PHASES: comma-separated labels, the first writes new rows, each later one runs `UPDATE bench10
 * SET note = NULL` and writes them again. Prints this process's CPU µs per row and GC µs per row
 * (PerformanceObserver, wall time) per phase.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { SinkRecord } from '../../src/connect/api/index.ts';
import { JsonConverter } from '../../src/connect/converters/json-converter.ts';
import { envelope } from '../../src/connectors/postgres-cdc/envelope.ts';
import { postgresSink } from '../../src/connectors/postgres-sink/index.ts';
import { SinkHarness } from '../../test/connectors/harness.ts';
import { startPostgres } from '../../test/helpers/postgres.ts';
import {
  bench10After,
  bench10Envelope,
  bench10Key,
  bench10Row,
  bench10SinkConfig,
  bench10Source,
} from './bench10-schema.ts';

const ROWS = Number(process.env.ROWS ?? 100_000);
const row = bench10Row('snap');
const keySchema = bench10Key('snap');
const schema = bench10Envelope('snap', row);
const w = new JsonConverter();
w.configure({}, false);
const wk = new JsonConverter();
wk.configure({}, true);
// Record bytes packed into 1 MiB chunks like fetched batches.
const keys: Buffer[] = [];
const values: Buffer[] = [];
{
  let chunk = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  const place = (b: Buffer): Buffer => {
    if (pos + b.length > chunk.length) {
      chunk = Buffer.allocUnsafe(1 << 20);
      pos = 0;
    }
    b.copy(chunk, pos);
    pos += b.length;
    return chunk.subarray(pos - b.length, pos);
  };
  for (let i = 1; i <= ROWS; i++) {
    const after = bench10After(i);
    const source = bench10Source('snap');
    keys.push(place(wk.fromConnectData('t', [], keySchema, { id: i })!));
    values.push(place(w.fromConnectData('t', [], schema, envelope('r', null, after, source))!));
  }
}

const pg = await startPostgres({ settings: { shared_buffers: '256MB', max_wal_size: '4GB' } });
try {
  await pg.createDatabase('sinkdb');
  const harness = new SinkHarness(postgresSink.createTask());
  await harness.start(bench10SinkConfig(pg.url('sinkdb')));
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  const kc = new JsonConverter();
  kc.configure({}, true);
  const vc = new JsonConverter();
  vc.configure({}, false);
  const FETCH = 280;
  for (const label of (process.env.PHASES ?? 'new rows,existing rows,existing rows 2').split(',')) {
    if (!label.startsWith('new')) await pg.query('UPDATE bench10 SET note = NULL', [], 'sinkdb');
    gcMs = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < ROWS; i += FETCH) {
      const out: SinkRecord[] = [];
      for (let j = i; j < Math.min(ROWS, i + FETCH); j++) {
        const k = kc.toConnectData('t', [], keys[j]!);
        const v = vc.toConnectData('t', [], values[j]!);
        const timestamp = Date.now();
        out.push({
          topic: 'snap.public.bench10',
          kafkaPartition: 0,
          kafkaOffset: BigInt(j),
          keySchema: k.schema,
          key: k.value,
          valueSchema: v.schema,
          value: v.value,
          timestamp,
          timestampType: 'CreateTime',
          headers: [],
          originalTopic: 'snap.public.bench10',
          originalKafkaPartition: 0,
          originalKafkaOffset: BigInt(j),
          raw: { key: keys[j]!.subarray(0), value: values[j]!.subarray(0), headers: [], timestamp },
        } as SinkRecord);
      }
      await harness.put(out);
    }
    await harness.flush();
    const cpu = process.cpuUsage(cpu0);
    await new Promise((r) => setTimeout(r, 50));
    console.log(
      `${label}: ${Math.round(ROWS / ((performance.now() - t0) / 1000))} rows/s, CPU ${((cpu.user + cpu.system) / ROWS).toFixed(2)} µs/row, GC ${((gcMs * 1000) / ROWS).toFixed(2)} µs/row`,
    );
  }
  obs.disconnect();
  await harness.stop();
} finally {
  await pg.stop();
}
