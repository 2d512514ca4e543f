/**
 * Error handling with Kafka's names: under `errors.tolerance=all` a record the converter cannot
 * read goes to the dead-letter topic with its original bytes and Kafka's `__connect.errors.*`
 * headers while the good ones flow on; under `none` the task fails with its trace in the status
 * API, nothing after the bad record is written, and after the fix (a converter that can read it)
 * the task resumes exactly at the failed record. A sink whose `put` throws RetriableError gets the
 * same batch again. A source record its converter cannot write is skipped under `all` (the others
 * are written) and fails the task under `none`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createConsumer, createProducer } from '../../src/client/clients.ts';
import type { ConsumedRecord } from '../../src/client/consumed-record.ts';
import { readPartitions } from '../../src/client/partition-reader.ts';
import {
  RetriableError,
  type SinkConnectorPlugin,
  type SinkRecord,
  type SourceConnectorPlugin,
} from '../../src/connect/api/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import {
  allRunning,
  oneTaskConnector,
  startConnect,
  type TestConnect,
  topicValues,
} from '../helpers/connect.ts';

let broker: TestBroker;
let connect: TestConnect;
const dir = mkdtempSync(join(tmpdir(), 'samsa-connect-errors-'));
const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

/** A sink that fails its first two puts with RetriableError and records what it got. */
const received: string[][] = [];
let failuresLeft = 2;
const flakySink: SinkConnectorPlugin = {
  type: 'sink',
  className: 'test.FlakySink',
  version: '1',
  config: [],
  createConnector: oneTaskConnector,
  createTask: () => ({
    async start() {},
    async put(records: readonly SinkRecord[]) {
      if (records.length === 0) return;
      received.push(records.map((r) => String(r.value)));
      if (failuresLeft-- > 0) throw new RetriableError('downstream busy');
    },
    async stop() {},
  }),
};

/** A source whose records name partition 3 of a topic with one partition, then stops producing. */
let wrongPartitionPolls = 0;
const wrongPartitionSource: SourceConnectorPlugin = {
  type: 'source',
  className: 'test.WrongPartitionSource',
  version: '1',
  config: [],
  createConnector: oneTaskConnector,
  createTask: () => ({
    async start() {},
    async poll() {
      if (wrongPartitionPolls++ > 0) {
        await new Promise((r) => setTimeout(r, 100));
        return null;
      }
      return [
        {
          topic: 'one-partition',
          kafkaPartition: 3,
          key: null,
          keySchema: null,
          value: 'misrouted',
          valueSchema: null,
          headers: [],
          timestamp: null,
          sourcePartition: { s: 1 },
          sourceOffset: { o: 1 },
        },
      ];
    },
    async stop() {},
  }),
};

/** A source that emits int32 records once, the second of them not a number (its converter throws). */
const unconvertibleSource: SourceConnectorPlugin = {
  type: 'source',
  className: 'test.UnconvertibleSource',
  version: '1',
  config: [],
  createConnector: oneTaskConnector,
  createTask: () => {
    let topic = '';
    let polled = false;
    return {
      async start(config) {
        topic = String(config.topic);
      },
      async poll() {
        if (polled) {
          await new Promise((r) => setTimeout(r, 100));
          return null;
        }
        polled = true;
        return [1, 'not a number', 3].map((value, i) => ({
          topic,
          kafkaPartition: null,
          key: null,
          keySchema: null,
          value,
          valueSchema: { type: 'int32' as const, optional: false },
          headers: [],
          timestamp: null,
          sourcePartition: { s: 1 },
          sourceOffset: { o: i },
        }));
      },
      async stop() {},
    };
  },
};

before(async () => {
  broker = await startBroker();
  connect = await startConnect({
    bootstrap: broker.bootstrap,
    plugins: [flakySink, wrongPartitionSource, unconvertibleSource],
  });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
});

async function produce(topic: string, values: string[]): Promise<void> {
  const producer = createProducer({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'errors-test' });
  try {
    await producer.send({
      messages: values.map((v) => ({ topic, key: Buffer.from('k'), value: Buffer.from(v), partition: 0 })),
      autocreateTopics: true,
    });
  } finally {
    await producer.close();
  }
}

async function waitForFile(path: string, lines: number, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    try {
      text = readFileSync(path, 'utf8');
    } catch {}
    if (text.split('\n').length > lines) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  return text;
}

test("errors.tolerance=all: bad records go to the dead-letter topic with Kafka's headers", async () => {
  await produce('tolerant-in', ['{"n":1}', 'not json', '{"n":3}']);
  const output = join(dir, 'tolerant.txt');
  const r = await connect.call('POST', '/connectors', {
    name: 'tolerant',
    config: {
      'connector.class': SINK,
      file: output,
      topics: 'tolerant-in',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'tolerant-dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(await waitForFile(output, 2), '{"n":1}\n{"n":3}\n');

  const consumer = createConsumer(
    { bootstrapBrokers: [broker.bootstrap] },
    { clientId: 'dlq-reader', groupId: 'dlq-reader' },
  );
  const abort = new AbortController();
  try {
    const records = readPartitions({
      consumer,
      topic: 'tolerant-dlq',
      positions: new Map([[0, 0n]]),
      signal: abort.signal,
    });
    const next = await records.next();
    assert.ok(!next.done);
    const value: ConsumedRecord = next.value;
    assert.equal(value.value?.toString(), 'not json');
    assert.equal(value.key?.toString(), 'k');
    const headers = Object.fromEntries(value.headers.map(([k, v]) => [k.toString(), v?.toString()]));
    assert.equal(headers['__connect.errors.topic'], 'tolerant-in');
    assert.equal(headers['__connect.errors.partition'], '0');
    assert.equal(headers['__connect.errors.offset'], '1');
    assert.equal(headers['__connect.errors.connector.name'], 'tolerant');
    assert.equal(headers['__connect.errors.task.id'], '0');
    assert.equal(headers['__connect.errors.stage'], 'VALUE_CONVERTER');
    assert.equal(headers['__connect.errors.class.name'], 'org.apache.kafka.connect.json.JsonConverter');
    assert.equal(
      headers['__connect.errors.exception.class.name'],
      'org.apache.kafka.connect.errors.DataException',
    );
    assert.match(
      headers['__connect.errors.exception.message'] ?? '',
      /Converting byte\[\] to Kafka Connect data failed/,
    );
    assert.match(headers['__connect.errors.exception.stacktrace'] ?? '', /DataException/);
    abort.abort();
  } finally {
    await consumer.close(true);
  }
  const status = await connect.waitForStatus('tolerant', allRunning());
  assert.equal(status.tasks[0]?.state, 'RUNNING');
  await connect.call('DELETE', '/connectors/tolerant');
});

test('errors.tolerance=all: a record whose key its converter cannot read goes to the dead-letter topic', async () => {
  await produce('badkey-in', ['{"n":1}']);
  const r = await connect.call('POST', '/connectors', {
    name: 'badkey',
    config: {
      'connector.class': SINK,
      file: join(dir, 'badkey.txt'),
      topics: 'badkey-in',
      // The key is `k`: not JSON.
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'false',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'badkey-dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const consumer = createConsumer(
    { bootstrapBrokers: [broker.bootstrap] },
    { clientId: 'badkey-dlq-reader', groupId: 'badkey-dlq-reader' },
  );
  const abort = new AbortController();
  try {
    const records = readPartitions({
      consumer,
      topic: 'badkey-dlq',
      positions: new Map([[0, 0n]]),
      signal: abort.signal,
    });
    const next = await records.next();
    assert.ok(!next.done);
    const value: ConsumedRecord = next.value;
    assert.equal(value.value?.toString(), '{"n":1}');
    const headers = Object.fromEntries(value.headers.map(([k, v]) => [k.toString(), v?.toString()]));
    assert.equal(headers['__connect.errors.stage'], 'KEY_CONVERTER');
    assert.equal(headers['__connect.errors.offset'], '0');
    assert.match(
      headers['__connect.errors.exception.message'] ?? '',
      /Converting byte\[\] to Kafka Connect data failed/,
    );
    abort.abort();
  } finally {
    await consumer.close(true);
  }
  assert.equal((await connect.waitForStatus('badkey', allRunning())).tasks[0]?.state, 'RUNNING');
  await connect.call('DELETE', '/connectors/badkey');
});

test('errors.tolerance=none: the task fails with its trace, and after the fix resumes at the failed record', async () => {
  await produce('strict-in', ['{"n":1}', 'not json', '{"n":3}']);
  const output = join(dir, 'strict.txt');
  const config = {
    'connector.class': SINK,
    file: output,
    topics: 'strict-in',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  };
  assert.equal((await connect.call('POST', '/connectors', { name: 'strict', config })).status, 201);
  const failed = await connect.waitForStatus('strict', (s) => s.tasks[0]?.state === 'FAILED');
  assert.equal(failed.connector.state, 'RUNNING');
  assert.match(failed.tasks[0]?.trace ?? '', /Tolerance exceeded in error handler/);
  assert.match(
    failed.tasks[0]?.trace ?? '',
    /Caused by: DataException: Converting byte\[\] to Kafka Connect data failed/,
  );
  assert.equal(await waitForFile(output, 1), '{"n":1}\n');
  // Give a wrong commit a chance to happen; then nothing past the failed record may be written.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(readFileSync(output, 'utf8'), '{"n":1}\n');

  // The fix: read values as plain strings. The restarted task starts at the failed record.
  const fixed = await connect.call('PUT', '/connectors/strict/config', {
    ...config,
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  });
  assert.equal(fixed.status, 200);
  assert.equal(await waitForFile(output, 3), '{"n":1}\nnot json\n{"n":3}\n');
  await connect.waitForStatus('strict', allRunning());
  await connect.call('DELETE', '/connectors/strict');
});

test('a RetriableError from put redelivers the same batch', async () => {
  await produce('flaky-in', ['a', 'b']);
  const r = await connect.call('POST', '/connectors', {
    name: 'flaky',
    config: {
      'connector.class': 'test.FlakySink',
      topics: 'flaky-in',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    },
  });
  assert.equal(r.status, 201);
  const deadline = Date.now() + 20_000;
  while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(received.slice(0, 3), [
    ['a', 'b'],
    ['a', 'b'],
    ['a', 'b'],
  ]);
  await connect.waitForStatus('flaky', allRunning());
  await connect.call('DELETE', '/connectors/flaky');
});

test('a source record for a partition the topic does not have fails the task instead of landing elsewhere', async () => {
  await produce('one-partition', ['existing']);
  const r = await connect.call('POST', '/connectors', {
    name: 'misrouting',
    config: {
      'connector.class': 'test.WrongPartitionSource',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    },
  });
  assert.equal(r.status, 201);
  const failed = await connect.waitForStatus('misrouting', (s) => s.tasks[0]?.state === 'FAILED');
  assert.match(
    failed.tasks[0]?.trace ?? '',
    /Invalid partition given with record: 3 is not in the range \[0\.\.\.1\)/,
  );
  assert.deepEqual(await topicValues(broker.bootstrap, 'one-partition'), ['existing']);
  await connect.call('DELETE', '/connectors/misrouting');
});

test('a source record its converter cannot write: skipped under errors.tolerance=all, the task failed under none', async () => {
  const config = (topic: string, tolerance: string) => ({
    'connector.class': 'test.UnconvertibleSource',
    topic,
    'errors.tolerance': tolerance,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  });
  let r = await connect.call('POST', '/connectors', {
    name: 'skipping',
    config: config('skipped-values', 'all'),
  });
  assert.equal(r.status, 201);
  const deadline = Date.now() + 20_000;
  let values: string[] = [];
  while (Date.now() < deadline && values.length < 2) {
    values = await topicValues(broker.bootstrap, 'skipped-values');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(values, ['1', '3']);
  assert.equal((await connect.waitForStatus('skipping', allRunning())).tasks[0]?.state, 'RUNNING');
  await connect.call('DELETE', '/connectors/skipping');

  r = await connect.call('POST', '/connectors', { name: 'failing', config: config('failed-values', 'none') });
  assert.equal(r.status, 201);
  const failed = await connect.waitForStatus('failing', (s) => s.tasks[0]?.state === 'FAILED');
  assert.match(failed.tasks[0]?.trace ?? '', /Tolerance exceeded[\s\S]*Invalid type for int32/);
  await connect.call('DELETE', '/connectors/failing');
});
