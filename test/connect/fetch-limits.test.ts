/**
 * A sink task's fetch sizes are the consumer's `max.partition.fetch.bytes` and `fetch.max.bytes`
 * (Kafka's defaults, or the worker's `consumer.` / the connector's `consumer.override.` keys): the
 * Fetcher against a real broker brings no more than the limits allow (but a partition's first batch
 * whole), and a worker takes the override or fails the task with the key's name.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createConsumer, createProducer } from '../../src/client/clients.ts';
import type { SinkConnectorPlugin, SinkRecord } from '../../src/connect/api/index.ts';
import { DEFAULT_FETCH_LIMITS, Fetcher } from '../../src/connect/runtime/fetcher.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { allRunning, oneTaskConnector, startConnect, type TestConnect } from '../helpers/connect.ts';

let broker: TestBroker;
let connect: TestConnect;
const TOPIC = 'fetch-limits';
const RECORDS = 40;
const VALUE_BYTES = 8 * 1024;

const received: string[] = [];
const recordingSink: SinkConnectorPlugin = {
  type: 'sink',
  className: 'test.RecordingSink',
  version: '1',
  config: [],
  createConnector: oneTaskConnector,
  createTask: () => ({
    async start() {},
    async put(records: readonly SinkRecord[]) {
      for (const r of records) received.push(String(r.raw.key));
    },
    async stop() {},
  }),
};

before(async () => {
  broker = await startBroker();
  const producer = createProducer({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'fetch-limits' });
  try {
    // One batch per record: each send is awaited before the next.
    for (let i = 0; i < RECORDS; i++) {
      await producer.send({
        messages: [
          {
            topic: TOPIC,
            partition: 0,
            key: Buffer.from(`k${i}`),
            value: Buffer.alloc(VALUE_BYTES, 97 + (i % 26)),
          },
        ],
        autocreateTopics: true,
      });
    }
  } finally {
    await producer.close();
  }
  connect = await startConnect({ bootstrap: broker.bootstrap, plugins: [recordingSink] });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
});

async function fetchOnce(limits?: { partitionMaxBytes: number; maxBytes: number }) {
  const consumer = createConsumer(
    { bootstrapBrokers: [broker.bootstrap] },
    { clientId: 'fetch-limits-test', groupId: 'fetch-limits-test' },
  );
  try {
    const fetcher = new Fetcher(consumer, limits);
    return await fetcher.fetch(new Map([[TOPIC, new Map([[0, 0n]])]]), 100);
  } finally {
    await consumer.close(true);
  }
}

test('a fetch round brings what max.partition.fetch.bytes allows, and a first batch larger than it whole', async () => {
  const all = await fetchOnce();
  assert.equal(all.records.length, RECORDS, 'Kafka defaults: 1 MiB per partition holds all 40 batches');
  assert.equal(all.positions.get(TOPIC)?.get(0), BigInt(RECORDS));

  const limited = await fetchOnce({
    partitionMaxBytes: 3 * VALUE_BYTES,
    maxBytes: DEFAULT_FETCH_LIMITS.maxBytes,
  });
  assert.ok(
    limited.records.length >= 1 && limited.records.length <= 3,
    `24 KiB per partition: ${limited.records.length} records`,
  );
  assert.equal(limited.positions.get(TOPIC)?.get(0), BigInt(limited.records.length));
  assert.deepEqual(
    limited.records.map((r) => String(r.key)),
    Array.from({ length: limited.records.length }, (_, i) => `k${i}`),
  );

  const tiny = await fetchOnce({ partitionMaxBytes: 100, maxBytes: 100 });
  assert.equal(tiny.records.length, 1, 'the first batch comes whole, as in Kafka');
  assert.equal(String(tiny.records[0]?.key), 'k0');
});

test('consumer.override.max.partition.fetch.bytes: a small value still delivers everything in order; a bad one fails the task with its name', async () => {
  const config = {
    'connector.class': 'test.RecordingSink',
    topics: TOPIC,
    'key.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'consumer.override.max.partition.fetch.bytes': String(2 * VALUE_BYTES),
  };
  assert.equal((await connect.call('POST', '/connectors', { name: 'small-fetch', config })).status, 201);
  await connect.waitForStatus('small-fetch', allRunning());
  const deadline = Date.now() + 20_000;
  while (received.length < RECORDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    received,
    Array.from({ length: RECORDS }, (_, i) => `k${i}`),
  );
  await connect.call('DELETE', '/connectors/small-fetch');

  const bad = { ...config, 'consumer.override.max.partition.fetch.bytes': 'lots' };
  assert.equal((await connect.call('POST', '/connectors', { name: 'bad-fetch', config: bad })).status, 201);
  const failed = await connect.waitForStatus('bad-fetch', (s) => s.tasks[0]?.state === 'FAILED');
  assert.match(
    failed.tasks[0]?.trace ?? '',
    /consumer\.override\.max\.partition\.fetch\.bytes must be a positive integer, got "lots"/,
  );
  await connect.call('DELETE', '/connectors/bad-fetch');
});
