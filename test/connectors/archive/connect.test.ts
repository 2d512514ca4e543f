/**
 * Archive and replay run by the Connect runtime: the archive sink (ByteArrayConverter, wall-clock
 * rotation for the tail) writes a 3-partition topic to Parquet, then the archive source connector
 * re-publishes it into a new topic with the same records per partition, in order, with keys,
 * headers and timestamps; an unwritable archive.path shows as a FAILED task with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { filesByPartition, readPartition } from '../../../src/connectors/archive/reader.ts';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { allRunning, startConnect, type TestConnect } from '../../helpers/connect.ts';
import { createTopic, produce } from '../../helpers/produce.ts';
import { readTopic } from '../../helpers/sink-harness.ts';

const BYTES = 'org.apache.kafka.connect.converters.ByteArrayConverter';
const dir = mkdtempSync(join(tmpdir(), 'samsa-archive-connect-'));
let broker: TestBroker;
let connect: TestConnect;

before(async () => {
  broker = await startBroker({
    numPartitions: 1,
    // The records carry timestamps months old: under the default retention (7 days) the broker's
    // first retention pass, 30 s after its start, would roll and delete them while the file runs.
    retentionMs: -1,
  });
  connect = await startConnect({ bootstrap: broker.bootstrap });
});
after(async () => {
  await connect.stop();
  await broker.stop();
});

async function rows(topic: string) {
  return (await readTopic(broker.bootstrap, topic))
    .map((r) => ({
      partition: r.partition,
      offset: r.offset,
      timestamp: Number(r.timestamp),
      key: r.key?.toString('hex') ?? null,
      value: r.value?.toString('hex') ?? null,
      headers: r.headers.map(([k, v]) => `${k}=${v?.toString()}`).join('&'),
    }))
    .sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1));
}

test('archive sink then archive source connector: the same records, partitions, order, keys, headers and timestamps', async () => {
  const total = 6000;
  await createTopic(broker.bootstrap, 'orders', 3);
  await produce(
    broker.bootstrap,
    'orders',
    Array.from({ length: total }, (_, i) => ({
      key: i % 5 === 0 ? null : `c${i % 40}`,
      value: i % 9 === 0 ? Buffer.from([0, 255, i & 255]) : `{"order":${i}}`,
      partition: i % 3,
      headers: { trace: `t${i}` },
      timestamp: Date.UTC(2026, 0, 1) + i * 1000,
    })),
  );
  const path = join(dir, 'archive');
  const sink = await connect.call('POST', '/connectors', {
    name: 'orders-archive',
    config: {
      'connector.class': 'samsa.connect.archive.ArchiveSinkConnector',
      topics: 'orders',
      'tasks.max': '2',
      'archive.path': path,
      'format.class': 'parquet',
      'flush.size': '1000',
      'rotate.schedule.interval.ms': '500',
      'key.converter': BYTES,
      'value.converter': BYTES,
    },
  });
  assert.equal(sink.status, 201, JSON.stringify(sink.body));
  await connect.waitForStatus('orders-archive', allRunning(2));
  const archivedCount = async () => {
    let n = 0;
    for (const [, files] of await filesByPartition({ root: path, topic: 'orders' }))
      for await (const { records } of readPartition(files)) n += records.length;
    return n;
  };
  const deadline = Date.now() + 60_000;
  while ((await archivedCount()) < total) {
    if (Date.now() > deadline) throw new Error('not archived in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await connect.call('DELETE', '/connectors/orders-archive');

  await createTopic(broker.bootstrap, 'orders-restored', 3);
  const source = await connect.call('POST', '/connectors', {
    name: 'orders-restore',
    config: {
      'connector.class': 'samsa.connect.archive.ArchiveSourceConnector',
      'tasks.max': '2',
      'archive.path': path,
      'archive.topic': 'orders',
      topic: 'orders-restored',
      'key.converter': BYTES,
      'value.converter': BYTES,
    },
  });
  assert.equal(source.status, 201, JSON.stringify(source.body));
  let restored: Awaited<ReturnType<typeof rows>> = [];
  const until = Date.now() + 60_000;
  while ((restored = await rows('orders-restored')).length < total) {
    if (Date.now() > until) throw new Error(`restored ${restored.length} of ${total}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  restored = await rows('orders-restored');
  const original = await rows('orders');
  assert.deepEqual(
    restored.map(({ offset: _o, ...r }) => r),
    original.map(({ offset: _o, ...r }) => r),
  );
  await connect.call('DELETE', '/connectors/orders-restore');
});

test('an unwritable archive.path fails the task with the reason', async () => {
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'x');
  await createTopic(broker.bootstrap, 'unarchived', 1);
  const created = await connect.call('POST', '/connectors', {
    name: 'bad-archive',
    config: {
      'connector.class': 'samsa.connect.archive.ArchiveSinkConnector',
      topics: 'unarchived',
      'archive.path': join(file, 'sub'),
    },
  });
  assert.equal(created.status, 201);
  const status = await connect.waitForStatus('bad-archive', (s) => s.tasks[0]?.state === 'FAILED');
  assert.match(status.tasks[0]!.trace!, /archive.path .*plain-file\/sub is not a writable directory/);
  await connect.call('DELETE', '/connectors/bad-archive');
});
