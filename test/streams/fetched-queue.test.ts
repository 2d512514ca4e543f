/**
 * Fetched records wait in their fetch response (a cursor per fetched record set) until processed:
 * a task given real RecordBatch bytes processes them in offset order within a partition and by
 * timestamp across partitions, with their headers and offsets, skips records with a negative
 * timestamp or that do not deserialize (and counts them), keeps the buffered count, and keeps the
 * order when records given as objects come after fetched ones. A fetch response's buffer goes
 * back for reuse only once all its record sets are used up and no view of its bytes was handed out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { FetchedPartition } from '../../src/client/raw-fetch.ts';
import { RecordBatchBuilder } from '../../src/client/record-batch-builder.ts';
import { parseStreamsConfig } from '../../src/streams/config.ts';
import {
  type ProcessorContext,
  type Serde,
  Serdes,
  type Record as StreamsRecord,
  Topology,
} from '../../src/streams/index.ts';
import { StreamsMetrics } from '../../src/streams/runtime/metrics.ts';
import { ResponseLease } from '../../src/streams/runtime/response-lease.ts';
import { StreamTask, type TaskEnvironment } from '../../src/streams/runtime/stream-task.ts';

interface Seen {
  topic: string | undefined;
  offset: bigint | undefined;
  key: unknown;
  value: unknown;
  timestamp: number;
  headers: [string, string | null][];
}

function setup(valueSerde: Serde<unknown> = Serdes.JSON()) {
  const seen: Seen[] = [];
  const topology = new Topology()
    .addSource({ name: 'src', topics: ['a', 'b'], keySerde: Serdes.String(), valueSerde })
    .addProcessor(
      'record',
      () => {
        let ctx: ProcessorContext<unknown, unknown>;
        return {
          init(c) {
            ctx = c;
          },
          process(r: StreamsRecord<unknown, unknown>) {
            const m = ctx.recordMetadata();
            seen.push({
              topic: m?.topic,
              offset: m?.offset,
              key: r.key,
              value: r.value,
              timestamp: r.timestamp,
              headers: r.headers.map(([k, v]) => [k, v === null ? null : v.toString()]),
            });
          },
        };
      },
      'src',
    );
  const config = parseStreamsConfig(
    {
      'application.id': 'fetched-queue',
      'default.deserialization.exception.handler': 'LogAndContinueExceptionHandler',
    },
    { requireBootstrap: false },
  );
  const logger = pino({ level: 'silent' });
  const metrics = new StreamsMetrics();
  const env: TaskEnvironment = {
    applicationId: 'fetched-queue',
    defaultKeySerde: Serdes.String() as never,
    defaultValueSerde: Serdes.String() as never,
    internalKeySerde: Serdes.String() as never,
    internalValueSerde: Serdes.String() as never,
    deserializationHandler: config.deserializationHandler(logger),
    cacheMaxBytes: 0,
    resolveTopic: (t) => t,
    collector: { send() {}, partitionsFor: () => 1 },
    stateDir: null,
    changelogTopic: () => null,
    globalStore: () => undefined,
    systemTime: () => 0,
    metrics,
    logger,
  };
  const task = new StreamTask(topology, 0, 0, env);
  task.initStores();
  task.initProcessors();
  return { task, seen, metrics };
}

type In = [key: string, value: string, timestamp: number, headers?: [string, string | null][]];

/** A fetched record set: batches of the given records, the first at `baseOffset`. */
function fetched(topic: string, baseOffset: number, ...batches: In[][]): FetchedPartition {
  const parts: Buffer[] = [];
  let offset = baseOffset;
  for (const records of batches) {
    const builder = new RecordBatchBuilder();
    for (const [k, v, t, h] of records)
      builder.append(
        k,
        v,
        t,
        h?.map(([hk, hv]) => [Buffer.from(hk), hv === null ? null : Buffer.from(hv)] as const),
      );
    const batch = builder.finish()!;
    batch.writeInt32BE(Math.floor(offset / 2 ** 32), 0);
    batch.writeUInt32BE(offset % 2 ** 32, 4); // the base offset is outside the CRC
    offset += records.length;
    parts.push(batch);
  }
  return {
    topic,
    partition: 0,
    errorCode: 0,
    highWatermark: offset,
    lastStableOffset: offset,
    logStartOffset: 0,
    aborted: null,
    records: Buffer.concat(parts),
  };
}

test('fetched records are processed from the fetched bytes in order, with headers and offsets', () => {
  const { task, seen, metrics } = setup();
  // partition a: two record sets (the first fetched from offset 11, inside its first batch)
  task.addFetched(
    'a',
    0,
    fetched(
      'a',
      10,
      [
        ['k0', '{"n":0}', 100],
        ['k1', '{"n":1}', 101, [['h', 'v']]],
      ],
      [['k2', 'not json', 105]],
    ),
    11,
  );
  task.addFetched(
    'a',
    0,
    fetched('a', 13, [
      ['k3', '{"n":3}', -5],
      ['k4', '{"n":4}', 110],
    ]),
    13,
  );
  // partition b: timestamps between a's
  task.addFetched(
    'b',
    0,
    fetched('b', 0, [
      ['x0', '"b0"', 102, [['n', null]]],
      ['x1', '"b1"', 108],
    ]),
    0,
  );
  // counted from the batch headers: k3's negative timestamp is seen when it comes to the head
  assert.equal(task.bufferedCount, 6);
  // taken: k1, x0, k2 (does not deserialize: skipped), x1, k4; k3 (offset 13, negative
  // timestamp) is skipped on the way to the head of a's queue
  assert.equal(task.process(100), 5);
  assert.equal(task.bufferedCount, 0);
  assert.deepEqual(
    seen.map((s) => [s.topic, Number(s.offset), s.key, s.value, s.timestamp, s.headers]),
    [
      ['a', 11, 'k1', { n: 1 }, 101, [['h', 'v']]],
      ['b', 0, 'x0', 'b0', 102, [['n', null]]],
      ['b', 1, 'x1', 'b1', 108, []],
      ['a', 14, 'k4', { n: 4 }, 110, []],
    ],
  );
  assert.equal(metrics.task('0_0').skippedRecordsTotal, 2);
  assert.deepEqual(
    task.prepareCommit(),
    new Map([
      ['a:0', 15n],
      ['b:0', 2n],
    ]),
  );
});

test('records given as objects after fetched ones wait behind them', () => {
  const { task, seen } = setup();
  task.addFetched(
    'a',
    0,
    fetched(
      'a',
      0,
      [
        ['k0', '1', 1],
        ['k1', '2', 2],
      ],
      [['k2', '3', 3]],
    ),
    0,
  );
  assert.equal(task.process(1), 1);
  task.addRecords([
    {
      topic: 'a',
      partition: 0,
      offset: 3,
      timestamp: 4,
      key: Buffer.from('k3'),
      value: Buffer.from('4'),
      headers: [],
    },
  ]);
  assert.equal(task.bufferedCount, 3);
  assert.equal(task.process(100), 3);
  assert.deepEqual(
    seen.map((s) => [Number(s.offset), s.key, s.value]),
    [
      [0, 'k0', 1],
      [1, 'k1', 2],
      [2, 'k2', 3],
      [3, 'k3', 4],
    ],
  );
});

/** Two partitions' record sets cut from one response buffer, and a lease counting releases. */
function oneResponse(a: In[], b: In[]) {
  const fa = fetched('a', 0, a);
  const fb = fetched('b', 0, b);
  const response = Buffer.concat([fa.records!, fb.records!]);
  fa.records = response.subarray(0, fa.records!.length);
  fb.records = response.subarray(fa.records.length);
  let released = 0;
  const lease = new ResponseLease(() => released++);
  return { fa, fb, lease, released: () => released };
}

test('a response goes back once every record set of it is used up, not before', () => {
  const { task, seen } = setup();
  const r = oneResponse(
    [
      ['k0', '{"n":0}', 1],
      ['k1', '{"n":1}', 3],
    ],
    [['x0', '{"n":2}', 2]],
  );
  task.addFetched('a', 0, r.fa, 0, r.lease);
  task.addFetched('b', 0, r.fb, 0, r.lease);
  r.lease.drop(); // the stream thread's hold, once all are handed out
  assert.equal(task.process(1), 1);
  assert.equal(r.released(), 0);
  assert.equal(task.process(1), 1); // b's only record: b's set is used up, a's is not
  assert.equal(r.released(), 0);
  assert.equal(task.process(100), 1);
  assert.equal(r.released(), 1);
  assert.deepEqual(
    seen.map((s) => s.value),
    [{ n: 0 }, { n: 2 }, { n: 1 }],
  );
});

test('a response whose bytes were handed out is never given back', () => {
  // a header (its value is a view of the response)
  let s = setup();
  let r = oneResponse([['k0', '{"n":0}', 1, [['h', 'v']]]], [['x0', '{"n":1}', 2]]);
  s.task.addFetched('a', 0, r.fa, 0, r.lease);
  s.task.addFetched('b', 0, r.fb, 0, r.lease);
  r.lease.drop();
  assert.equal(s.task.process(100), 2);
  assert.equal(r.released(), 0);
  // a record that does not deserialize (the handler sees views of its bytes)
  s = setup();
  r = oneResponse([['k0', 'not json', 1]], [['x0', '{"n":1}', 2]]);
  s.task.addFetched('a', 0, r.fa, 0, r.lease);
  s.task.addFetched('b', 0, r.fb, 0, r.lease);
  r.lease.drop();
  assert.equal(s.task.process(100), 2);
  assert.equal(r.released(), 0);
  // a deserializer that may keep what it is given (ByteArray: a view)
  s = setup(Serdes.ByteArray() as Serde<unknown>);
  r = oneResponse([['k0', 'a', 1]], [['x0', 'b', 2]]);
  s.task.addFetched('a', 0, r.fa, 0, r.lease);
  s.task.addFetched('b', 0, r.fb, 0, r.lease);
  r.lease.drop();
  assert.equal(s.task.process(100), 2);
  assert.equal(r.released(), 0);
  assert.deepEqual(
    s.seen.map((x) => (x.value as Buffer).toString()),
    ['a', 'b'],
  );
  // records queued as objects (behind records given as objects)
  s = setup();
  s.task.addRecords([
    {
      topic: 'a',
      partition: 0,
      offset: 0,
      timestamp: 1,
      key: Buffer.from('k'),
      value: Buffer.from('0'),
      headers: [],
    },
  ]);
  r = oneResponse([['k1', '1', 2]], [['x0', '2', 3]]);
  s.task.addFetched('a', 0, r.fa, 0, r.lease);
  s.task.addFetched('b', 0, r.fb, 0, r.lease);
  r.lease.drop();
  assert.equal(s.task.process(100), 3);
  assert.equal(r.released(), 0);
});
