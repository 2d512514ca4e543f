/**
 * How a source task's records go out, as Kafka Connect's producer sends them; each test reads the
 * batches of the partition's log segment and every record back in order.
 *
 * - Compressed as the producer's `compression.type` says (the connector's
 *   `producer.override.compression.type`, else the worker's `producer.compression.type`; Kafka's
 *   default `none`): every batch carries that codec. A value Kafka's producer would refuse fails the
 *   task with the key named in its trace.
 * - In batches that fit: a topic's `max.message.bytes` (set when the task creates it, or on a topic
 *   that already exists) caps its batches instead of the broker refusing 512 KiB ones with
 *   MESSAGE_TOO_LARGE, and `producer.override.batch.size` / `max.request.size` cap them too. A
 *   record larger than the topic takes fails the task with the broker's error in its trace (as
 *   Kafka's RecordTooLargeException does); a bad limit fails it naming the key.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import {
  allRunning,
  bulkSourcePlugin,
  segmentBatches,
  startConnect,
  type TestConnect,
  topicValues,
} from '../helpers/connect.ts';
import { createTopic } from '../helpers/produce.ts';

const RECORDS = 1200;
const PER_POLL = 300;
/** Kafka's codec ids in a batch's attributes (bits 0-2). */
const CODEC_IDS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** ~230 bytes: 300 of them (a poll) are ~70 KB, one 512 KiB batch's worth would be ~2,000. */
const value = (n: number) => `{"n":${n},"text":"${'compressible text '.repeat(12)}"}`;

/** To a topic named `*-huge`, the first record is 40,000 bytes. */
const bulkSource = bulkSourcePlugin('test.BulkSource', RECORDS, PER_POLL, (n, topic) =>
  topic.endsWith('-huge') && n === 1 ? 'x'.repeat(40_000) : value(n),
);

let broker: TestBroker;
let connect: TestConnect;

before(async () => {
  broker = await startBroker();
  // The worker's producer setting applies to connectors that do not override it.
  connect = await startConnect({
    bootstrap: broker.bootstrap,
    plugins: [bulkSource],
    properties: { 'producer.compression.type': 'gzip' },
  });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
});

/** The codec of every batch in the partition's first log segment, and the records they hold. */
function segmentCodecs(topic: string): { codecs: Set<number>; records: number; batches: number } {
  const batches = segmentBatches(broker.dataDir, topic);
  return {
    codecs: new Set(batches.map((b) => b.codec)),
    records: batches.reduce((n, b) => n + b.records, 0),
    batches: batches.length,
  };
}

/** The size of every batch in the partition's first log segment (offset and length fields included). */
function batchSizes(topic: string): number[] {
  return segmentBatches(broker.dataDir, topic).map((b) => b.bytes);
}

/** Runs the bulk source to `topic` with `extra` settings until every record reads back in order. */
async function run(name: string, topic: string, extra: Record<string, string>): Promise<void> {
  const r = await connect.call('POST', '/connectors', {
    name,
    config: {
      'connector.class': 'test.BulkSource',
      topic,
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'topic.creation.default.partitions': '1',
      ...extra,
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await connect.waitForStatus(name, allRunning());
  const deadline = Date.now() + 20_000;
  let values: string[] = [];
  while (Date.now() < deadline && values.length < RECORDS) {
    values = await topicValues(broker.bootstrap, topic);
    if (values.length < RECORDS) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(
    values,
    Array.from({ length: RECORDS }, (_, i) => value(i + 1)),
  );
  const status = await connect.call<{ tasks: { state: string }[] }>('GET', `/connectors/${name}/status`);
  assert.equal(status.body.tasks[0]?.state, 'RUNNING');
}

/** Creates the bulk source to `topic` with `extra` settings; its task's trace once it has failed. */
async function failedTrace(name: string, topic: string, extra: Record<string, string>): Promise<string> {
  const r = await connect.call('POST', '/connectors', {
    name,
    config: { 'connector.class': 'test.BulkSource', topic, ...extra },
  });
  assert.equal(r.status, 201);
  const status = await connect.waitForStatus(name, (s) => s.tasks[0]?.state === 'FAILED');
  return status.tasks[0]!.trace ?? '';
}

/** Uncompressed, so that the log's batch sizes are what the task sent. */
const UNCOMPRESSED = { 'producer.override.compression.type': 'none' };

for (const codec of ['zstd', 'lz4', 'snappy', 'none']) {
  test(`producer.override.compression.type=${codec}: every batch carries the codec, every record reads back in order`, async () => {
    const topic = `compressed-codec-${codec}`;
    await run(`codec-${codec}`, topic, { 'producer.override.compression.type': codec });
    const { codecs, records, batches } = segmentCodecs(topic);
    assert.deepEqual([...codecs], [CODEC_IDS[codec]]);
    assert.equal(records, RECORDS);
    assert.ok(batches >= RECORDS / 500, `${batches} batches`);
  });
}

test("without an override the worker's producer.compression.type applies (gzip); the name is case-insensitive", async () => {
  await run('codec-worker', 'compressed-codec-worker', {});
  assert.deepEqual([...segmentCodecs('compressed-codec-worker').codecs], [CODEC_IDS.gzip]);
  await run('codec-upper', 'compressed-codec-upper', { 'producer.override.compression.type': 'LZ4' });
  assert.deepEqual([...segmentCodecs('compressed-codec-upper').codecs], [CODEC_IDS.lz4]);
});

test('a compression.type the producer does not know fails the task, naming the key and the choices', async () => {
  const trace = await failedTrace('codec-bad', 'compressed-bad', {
    'producer.override.compression.type': 'brotli',
  });
  assert.match(
    trace,
    /producer\.override\.compression\.type must be one of none, gzip, snappy, lz4, zstd, got "brotli"/,
  );
});

test('a topic the task creates with max.message.bytes=16384 gets batches of at most that, every record in order', async () => {
  await run('small-created', 'small-created', {
    ...UNCOMPRESSED,
    'topic.creation.default.max.message.bytes': '16384',
  });
  const sizes = batchSizes('small-created');
  assert.ok(sizes.length >= (RECORDS * 230) / 16384, `${sizes.length} batches`);
  assert.ok(Math.max(...sizes) <= 16384, `largest batch ${Math.max(...sizes)} bytes`);
});

test('a topic that exists with max.message.bytes=8192 gets batches of at most that', async () => {
  await createTopic(broker.bootstrap, 'small-existing', 1, { 'max.message.bytes': '8192' });
  await run('small-existing', 'small-existing', UNCOMPRESSED);
  const sizes = batchSizes('small-existing');
  assert.ok(Math.max(...sizes) <= 8192, `largest batch ${Math.max(...sizes)} bytes`);
  assert.ok(sizes.length >= (RECORDS * 230) / 8192, `${sizes.length} batches`);
});

test('producer.override.batch.size and max.request.size cap the batches; batch.size=0 sends a record each', async () => {
  await run('batch-size', 'batch-size', { ...UNCOMPRESSED, 'producer.override.batch.size': '4096' });
  assert.ok(Math.max(...batchSizes('batch-size')) <= 4096 + 61);
  await run('request-size', 'request-size', {
    ...UNCOMPRESSED,
    'producer.override.max.request.size': '10000',
  });
  assert.ok(Math.max(...batchSizes('request-size')) <= 10000 + 61);
  await run('one-each', 'one-each', { ...UNCOMPRESSED, 'producer.override.batch.size': '0' });
  assert.equal(batchSizes('one-each').length, RECORDS);
});

test('a record larger than the topic takes fails the task with the broker error; a bad batch.size names the key', async () => {
  const trace = await failedTrace('huge', 'small-huge', {
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'topic.creation.default.max.message.bytes': '16384',
    ...UNCOMPRESSED,
  });
  assert.match(trace, /MESSAGE_TOO_LARGE/);
  // Later batches may be written, as with Kafka's producer (a batch's refusal does not stop the
  // others); the task's offsets stop before the record, so a restart sends it again.
  const written = await topicValues(broker.bootstrap, 'small-huge');
  assert.ok(!written.some((v) => v.startsWith('xxx')));

  assert.match(
    await failedTrace('bad-batch-size', 'bad-batch', { 'producer.override.batch.size': '-1' }),
    /producer\.override\.batch\.size must be an integer >= 0, got "-1"/,
  );
});
