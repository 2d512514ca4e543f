/**
 * `samsa dlt:replay`: dead-lettered records go back to their original topic and partition with
 * their own headers only (retry and Connect error headers removed), --filter-header selects by a
 * header value, --to sends everything elsewhere, --dry-run writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SinkRecord } from '../../../src/connect/api/index.ts';
import { handOffRecord } from '../../../src/connectors/http-sink/retry-headers.ts';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { samsaInProcess } from '../../cli/run-cli.ts';
import { createTopic, produce } from '../../helpers/produce.ts';
import { readTopic } from '../../helpers/sink-harness.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker({ numPartitions: 1 });
});
after(async () => {
  await broker.stop();
});

function consumed(topic: string, partition: number, offset: bigint, value: string): SinkRecord {
  return {
    topic,
    kafkaPartition: partition,
    keySchema: null,
    key: `k${offset}`,
    valueSchema: null,
    value,
    timestamp: 1,
    headers: [],
    kafkaOffset: offset,
    timestampType: 'CreateTime',
    originalTopic: topic,
    originalKafkaPartition: partition,
    originalKafkaOffset: offset,
    raw: {
      key: Buffer.from(`k${offset}`),
      value: Buffer.from(value),
      headers: [['tenant', Buffer.from('acme')]],
      timestamp: 1,
    },
  };
}

test('dead-lettered records return to their topic and partition, filtered by header, without retry headers', async () => {
  await createTopic(broker.bootstrap, 'payments', 3);
  await createTopic(broker.bootstrap, 'payments-dlt', 1);
  const context = { connectorName: 'c', taskId: 0, now: Date.now() };
  const dead = [
    handOffRecord(
      consumed('payments', 2, 10n, 'a'),
      null,
      { status: 503, error: 'HTTP 503' },
      { topic: 'payments-dlt', deadLetter: true },
      context,
    ),
    handOffRecord(
      consumed('payments', 1, 11n, 'b'),
      null,
      { status: 400, error: 'HTTP 400' },
      { topic: 'payments-dlt', deadLetter: true },
      context,
    ),
    handOffRecord(
      consumed('payments', 2, 12n, 'c'),
      null,
      { status: 503, error: 'HTTP 503' },
      { topic: 'payments-dlt', deadLetter: true },
      context,
    ),
  ];
  await produce(
    broker.bootstrap,
    'payments-dlt',
    dead.map((r) => ({
      key: r.key,
      value: r.value,
      headers: Object.fromEntries((r.headers ?? []).map(([k, v]) => [k, v.toString()])),
    })),
  );
  const dry = await samsaInProcess(['dlt:replay', 'payments-dlt', '--dry-run', '-b', broker.bootstrap]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Would replay 3 of 3 records from payments-dlt/);
  assert.deepEqual(await readTopic(broker.bootstrap, 'payments'), []);

  const run = await samsaInProcess([
    'dlt:replay',
    'payments-dlt',
    '--filter-header',
    'samsa.retry.last.status=503',
    '-b',
    broker.bootstrap,
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    topic: 'payments-dlt',
    read: 3,
    replayed: 2,
    skipped: 1,
    withoutOrigin: 0,
    dryRun: false,
    topics: { payments: 2 },
  });
  const back = await readTopic(broker.bootstrap, 'payments');
  assert.deepEqual(
    back.map((r) => [
      r.partition,
      r.key?.toString(),
      r.value?.toString(),
      r.headers.map(([k, v]) => `${k}=${v}`),
    ]),
    [
      [2, 'k10', 'a', ['tenant=acme']],
      [2, 'k12', 'c', ['tenant=acme']],
    ],
  );
  const elsewhere = await samsaInProcess([
    'dlt:replay',
    'payments-dlt',
    '--to',
    'payments-manual',
    '-b',
    broker.bootstrap,
  ]);
  assert.equal(elsewhere.code, 1, 'a missing --to topic is an error (no auto-creation)');
  await createTopic(broker.bootstrap, 'payments-manual', 1);
  const again = await samsaInProcess([
    'dlt:replay',
    'payments-dlt',
    '--to',
    'payments-manual',
    '-b',
    broker.bootstrap,
  ]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await readTopic(broker.bootstrap, 'payments-manual')).length, 3);
  const missing = await samsaInProcess(['dlt:replay', 'no-such-dlt', '-b', broker.bootstrap]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /topic no-such-dlt does not exist/);
});
