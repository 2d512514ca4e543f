/**
 * The streams runtime against a real broker (startBroker), results read back with librdkafka
 * (python3-confluent-kafka): the word count under exactly_once_v2, windowed counts and
 * joins, internal topics, restore after the state directory is deleted, bad input through the
 * deserialization handlers, and interactive queries across two instances.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import {
  KafkaStreams,
  type KafkaStreamsState,
  Serdes,
  StreamsBuilder,
  type StreamsConfigInput,
  TimeWindows,
  type Windowed,
} from '../../src/streams/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { createTopics, latestByKey, produce, readWithLibrdkafka, waitFor } from './helpers.ts';

const S = Serdes.String();
let broker: TestBroker;
const dirs: string[] = [];
const apps: KafkaStreams[] = [];

before(async () => {
  broker = await startBroker({ groupMinSessionTimeoutMs: 1_000 });
});

after(async () => {
  for (const a of apps) await a.close().catch(() => {});
  await broker.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-streams-e2e-'));
  dirs.push(d);
  return d;
}

function app(
  builder: StreamsBuilder,
  config: Partial<StreamsConfigInput> & { 'application.id': string },
): KafkaStreams {
  const a = new KafkaStreams(
    builder.build(),
    {
      'bootstrap.servers': broker.bootstrap,
      'state.dir': stateDir(),
      'commit.interval.ms': 100,
      'session.timeout.ms': 6_000,
      ...config,
    },
    { handleSignals: false },
  );
  apps.push(a);
  return a;
}

/** Starts `a` and waits until it has processed `n` records, failing if the instance fails first. */
async function processAll(a: KafkaStreams, n: number, timeoutMs: number): Promise<void> {
  let failure: Error | undefined;
  a.setUncaughtExceptionHandler((err) => (failure = err));
  await a.start();
  await waitFor(
    'all records processed',
    () => (a.metrics().processTotal >= n || failure ? true : undefined),
    timeoutMs,
  );
  assert.equal(failure, undefined);
}

async function running(a: KafkaStreams): Promise<void> {
  await waitFor('RUNNING', () => a.state() === 'RUNNING' || undefined, 30_000);
}

test('word count from the issue, exactly_once_v2, read back with read_committed librdkafka', async () => {
  await createTopics(broker.bootstrap, [
    { name: 'lines', partitions: 2 },
    { name: 'word-counts', partitions: 2 },
  ]);
  const builder = new StreamsBuilder();
  builder
    .stream('lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .flatMapValues((line: string) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word)
    .count({ name: 'counts' })
    .toStream()
    .mapValues((n) => String(n))
    .to('word-counts', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  const a = app(builder, { 'application.id': 'wordcount', 'processing.guarantee': 'exactly_once_v2' });
  await a.start();
  const lines = Array.from({ length: 300 }, (_, i) => ({
    key: `l${i}`,
    value: `the quick fox ${i % 3 === 0 ? 'jumps' : 'naps'} The END`,
  }));
  await produce(broker.bootstrap, 'lines', lines);
  await running(a);
  const expected = new Map([
    ['the', '600'],
    ['quick', '300'],
    ['fox', '300'],
    ['jumps', '100'],
    ['naps', '200'],
    ['end', '300'],
  ]);
  await waitFor('final counts', async () => {
    const m = latestByKey(await readWithLibrdkafka(broker.bootstrap, 'word-counts', 2, 'read_committed'));
    return [...expected].every(([k, v]) => m.get(k) === v) || undefined;
  });
  assert.equal(a.keyValueStore<string, number>('counts').get('the'), 600);
  // metrics: everything processed, nothing left behind on any input partition
  const m = a.metrics();
  assert.ok(m.processTotal >= 300 + 1_800);
  assert.ok(m.commitTotal > 0);
  const lags = Object.values(m.tasks).flatMap((t) => Object.values(t.lag));
  assert.equal(lags.length, 4); // lines-0/1 and the repartition topic's 0/1
  assert.ok(lags.every((l) => l === 0));
  // internal topics with the partition count of their input
  const admin = new Admin({ clientId: 't', bootstrapBrokers: [broker.bootstrap] });
  const md = await admin.metadata({ topics: ['wordcount-counts-repartition', 'wordcount-counts-changelog'] });
  assert.equal(md.topics.get('wordcount-counts-repartition')?.partitionsCount, 2);
  assert.equal(md.topics.get('wordcount-counts-changelog')?.partitionsCount, 2);
  const configs = await admin.describeConfigs({
    resources: [
      { resourceType: 2, resourceName: 'wordcount-counts-changelog', configurationKeys: ['cleanup.policy'] },
    ],
  } as never);
  assert.match(JSON.stringify(configs), /compact/);
  await admin.close();
  await a.close();
  assert.equal(a.state(), 'NOT_RUNNING');
});

test('tumbling-window counts and a stream-table join, end to end', async () => {
  await createTopics(broker.bootstrap, [
    { name: 'orders', partitions: 3 },
    { name: 'customers', partitions: 3, configs: { 'cleanup.policy': 'compact' } },
    { name: 'enriched', partitions: 3 },
    { name: 'orders-per-minute', partitions: 1 },
  ]);
  const J = Serdes.JSON<{ name: string }>();
  const builder = new StreamsBuilder();
  const customers = builder.table('customers', { keySerde: S, valueSerde: J });
  const orders = builder.stream<string, string>('orders', { keySerde: S, valueSerde: S });
  orders
    .join(customers, (order, c) => `${order} by ${c.name}`)
    .to('enriched', { keySerde: S, valueSerde: S });
  orders
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
    .count({ name: 'per-minute' })
    .toStream()
    .map<string, string>((w: Windowed<string>, n) => [`${w.key}@${w.window.start}`, String(n)])
    .to('orders-per-minute', { keySerde: S, valueSerde: S });
  await produce(broker.bootstrap, 'customers', [
    // old timestamps: table records advance the task's stream time like any input
    { key: 'c1', value: JSON.stringify({ name: 'Ada' }), timestamp: 0 },
    { key: 'c2', value: JSON.stringify({ name: 'Linus' }), timestamp: 0 },
  ]);
  const a = app(builder, { 'application.id': 'enrich' });
  await a.start();
  await running(a);
  await waitFor('customers table loaded', () =>
    a.keyValueStore('customers-STATE-STORE-0000000001').approximateNumEntries() === 2 ? true : undefined,
  );
  await produce(broker.bootstrap, 'orders', [
    { key: 'c1', value: 'o1', timestamp: 1_000 },
    { key: 'c2', value: 'o2', timestamp: 2_000 },
    { key: 'c1', value: 'o3', timestamp: 61_000 },
    { key: 'c9', value: 'o4', timestamp: 62_000 },
    { key: 'c1', value: 'o5', timestamp: 62_500 },
  ]);
  await waitFor('joined orders', async () => {
    const got = (await readWithLibrdkafka(broker.bootstrap, 'enriched', 3)).map((r) => r.v).sort();
    return got.length === 4 ? got : undefined;
  }).then((got) => assert.deepEqual(got, ['o1 by Ada', 'o2 by Linus', 'o3 by Ada', 'o5 by Ada']));
  await waitFor('window counts', async () => {
    const m = latestByKey(await readWithLibrdkafka(broker.bootstrap, 'orders-per-minute', 1));
    return m.get('c1@60000') === '2' &&
      m.get('c1@0') === '1' &&
      m.get('c2@0') === '1' &&
      m.get('c9@60000') === '1'
      ? true
      : undefined;
  });
  await a.close();
});

test('restore: with the state directory deleted, state is rebuilt from the changelog and counting continues', async () => {
  await createTopics(broker.bootstrap, [
    { name: 'clicks', partitions: 2 },
    { name: 'click-counts', partitions: 2 },
  ]);
  const build = () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('clicks', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count({ name: 'click-store' })
      .toStream()
      .mapValues((n) => String(n))
      .to('click-counts', { keySerde: S, valueSerde: S });
    return b;
  };
  const dir = stateDir();
  const config = { 'application.id': 'restore-app', 'state.dir': dir };
  const first = app(build(), config);
  await first.start();
  await produce(
    broker.bootstrap,
    'clicks',
    Array.from({ length: 500 }, (_, i) => ({ key: `user-${i % 10}`, value: 'x' })),
  );
  await running(first);
  await waitFor('first batch counted', () =>
    first.keyValueStore<string, number>('click-store').get('user-3') === 50 ? true : undefined,
  );
  await first.close();
  rmSync(dir, { recursive: true, force: true });

  const second = app(build(), config);
  const restored: string[] = [];
  let restoredTotal = 0;
  second.setGlobalStateRestoreListener({
    onRestoreStart: (tp, store) => restored.push(`${store}:${tp.topic}:${tp.partition}`),
    onRestoreEnd: (_tp, _store, total) => (restoredTotal += total),
  });
  await second.start();
  await running(second);
  assert.deepEqual(restored.sort(), [
    'click-store:restore-app-click-store-changelog:0',
    'click-store:restore-app-click-store-changelog:1',
  ]);
  assert.ok(restoredTotal >= 10, `restored ${restoredTotal} changelog records`);
  assert.equal(second.keyValueStore<string, number>('click-store').get('user-3'), 50);
  await produce(
    broker.bootstrap,
    'clicks',
    Array.from({ length: 100 }, (_, i) => ({ key: `user-${i % 10}`, value: 'x' })),
  );
  await waitFor('counting continues from the restored state', async () => {
    const m = latestByKey(await readWithLibrdkafka(broker.bootstrap, 'click-counts', 2));
    return [...Array(10).keys()].every((i) => m.get(`user-${i}`) === '60') ? true : undefined;
  });
  await second.close();
});

test('bad input: LogAndContinueExceptionHandler skips it; LogAndFailExceptionHandler stops the instance with the position', async () => {
  await createTopics(broker.bootstrap, [
    { name: 'json-in', partitions: 1 },
    { name: 'json-out', partitions: 1 },
  ]);
  const build = () => {
    const b = new StreamsBuilder();
    b.stream('json-in', { keySerde: S, valueSerde: Serdes.JSON<{ n: number }>() })
      .mapValues((v) => String(v.n * 2))
      .to('json-out', { keySerde: S, valueSerde: S });
    return b;
  };
  await produce(broker.bootstrap, 'json-in', [
    { key: 'a', value: '{"n":1}' },
    { key: 'b', value: '{oops' },
    { key: 'c', value: '{"n":3}' },
  ]);
  const lenient = app(build(), {
    'application.id': 'lenient',
    'default.deserialization.exception.handler': 'LogAndContinueExceptionHandler',
  });
  await lenient.start();
  await waitFor('good records through', async () => {
    const got = (await readWithLibrdkafka(broker.bootstrap, 'json-out', 1)).map((r) => r.v);
    return got.length === 2 ? got : undefined;
  }).then((got) => assert.deepEqual(got, ['2', '6']));
  assert.equal(lenient.metrics().skippedRecordsTotal, 1);
  await lenient.close();

  const strict = app(build(), {
    'application.id': 'strict',
    'default.deserialization.exception.handler': 'LogAndFailExceptionHandler',
  });
  let failure: Error | undefined;
  const states: KafkaStreamsState[] = [];
  strict.setUncaughtExceptionHandler((err) => (failure = err));
  strict.setStateListener((s) => states.push(s));
  await strict.start();
  await waitFor('ERROR state', () => (strict.state() === 'ERROR' ? true : undefined));
  assert.match(failure?.message ?? '', /topic json-in, partition 0, offset 1/);
  assert.ok(states.includes('PENDING_ERROR'));
});

test('interactive queries: two instances split the tasks and name the host of each key', async () => {
  await createTopics(broker.bootstrap, [{ name: 'views', partitions: 4 }]);
  const build = () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('views', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count({ name: 'views-per-user' });
    return b;
  };
  const one = app(build(), { 'application.id': 'iq', 'application.server': '127.0.0.1:7001' });
  const two = app(build(), { 'application.id': 'iq', 'application.server': '127.0.0.1:7002' });
  await Promise.all([one.start(), two.start()]);
  await waitFor('two members with two tasks each', () =>
    one.state() === 'RUNNING' &&
    two.state() === 'RUNNING' &&
    one.metadataForAllStreamsClients().length === 2 &&
    two.metadataForAllStreamsClients().length === 2
      ? true
      : undefined,
  );
  const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
  await produce(
    broker.bootstrap,
    'views',
    users.flatMap((u, i) => Array.from({ length: i + 1 }, () => ({ key: u, value: 'page' }))),
  );
  await waitFor('all counted', () => {
    const total = [one, two].reduce(
      (n, a) =>
        n +
        a
          .keyValueStore<string, number>('views-per-user')
          .all()
          .reduce((s, e) => s + e.value, 0),
      0,
    );
    return total === 210 ? true : undefined;
  });
  const meta = one.metadataForAllStreamsClients();
  assert.deepEqual(meta.map((m) => m.hostInfo.port).sort(), [7001, 7002]);
  assert.deepEqual(
    meta.map((m) => m.topicPartitions.length),
    [2, 2],
  );
  for (const [i, u] of users.entries()) {
    const where = one.queryMetadataForKey('views-per-user', u, S);
    assert.ok(where);
    const owner = where.activeHost.port === 7001 ? one : two;
    const other = owner === one ? two : one;
    assert.equal(
      owner.keyValueStore<string, number>('views-per-user').get(u),
      i + 1,
      `${u} on ${where.activeHost.port}`,
    );
    assert.equal(other.keyValueStore<string, number>('views-per-user').get(u), null);
  }
  await Promise.all([one.close(), two.close()]);
});

test('global table: loaded from its topic before processing, kept up to date while running', async () => {
  await createTopics(broker.bootstrap, [
    { name: 'tiers', partitions: 2, configs: { 'cleanup.policy': 'compact' } },
    { name: 'purchases', partitions: 2 },
    { name: 'purchases-with-tier', partitions: 1 },
  ]);
  await produce(broker.bootstrap, 'tiers', [
    { key: 'c1', value: 'gold', timestamp: 0 },
    { key: 'c2', value: 'silver', timestamp: 0 },
  ]);
  const builder = new StreamsBuilder();
  const tiers = builder.globalTable<string, string>('tiers', { keySerde: S, valueSerde: S });
  builder
    .stream<string, string>('purchases', { keySerde: S, valueSerde: S })
    .join(
      tiers,
      (_k, v) => v.split(':')[0]!,
      (p, tier) => `${p} (${tier})`,
    )
    .to('purchases-with-tier', { keySerde: S, valueSerde: S });
  const a = app(builder, { 'application.id': 'global-tiers' });
  await a.start();
  await running(a);
  await produce(broker.bootstrap, 'purchases', [{ key: 'p1', value: 'c1:book', timestamp: 1_000 }]);
  await waitFor('first join', async () => {
    const got = (await readWithLibrdkafka(broker.bootstrap, 'purchases-with-tier', 1)).map((r) => r.v);
    return got.length === 1 ? got : undefined;
  }).then((got) => assert.deepEqual(got, ['c1:book (gold)']));
  // an update of the global topic reaches the running instance
  await produce(broker.bootstrap, 'tiers', [{ key: 'c3', value: 'bronze', timestamp: 2_000 }]);
  await waitFor('c3 in the global table', async () => {
    await produce(broker.bootstrap, 'purchases', [{ key: 'p2', value: 'c3:pen', timestamp: 3_000 }]);
    const got = (await readWithLibrdkafka(broker.bootstrap, 'purchases-with-tier', 1)).map((r) => r.v);
    return got.includes('c3:pen (bronze)') ? true : undefined;
  });
  await a.close();
});

test("at_least_once output batches fit the output topic's max.message.bytes; close() does not wait out a long poll", async () => {
  // 20,000-byte limit: one 256 KiB batch (the collector's size when the limit is unknown) would be
  // refused as MESSAGE_TOO_LARGE and fail the instance
  await createTopics(broker.bootstrap, [
    { name: 'small-in', partitions: 1 },
    { name: 'small-out', partitions: 1, configs: { 'max.message.bytes': '20000' } },
  ]);
  const n = 3_000;
  await produce(
    broker.bootstrap,
    'small-in',
    Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${i}`.padEnd(100, '.') })),
  );
  const b = new StreamsBuilder();
  b.stream('small-in', { keySerde: S, valueSerde: S })
    .mapValues((v) => v.toUpperCase())
    .to('small-out', { keySerde: S, valueSerde: S });
  // a minute's long poll once the input is read: close() must end it, not wait for it
  const a = app(b, { 'application.id': 'small-batches', 'poll.ms': 60_000 });
  await processAll(a, n, 30_000);
  const closed = await Promise.race([
    a.close().then(() => 'closed'),
    new Promise((r) => setTimeout(() => r('still waiting after 20 s'), 20_000).unref()),
  ]);
  assert.equal(closed, 'closed');
  assert.equal(a.state(), 'NOT_RUNNING');
  const out = await readWithLibrdkafka(broker.bootstrap, 'small-out', 1);
  assert.equal(out.length, n);
  assert.deepEqual(
    out.slice(0, 2).map((r) => r.v),
    ['0'.padEnd(100, '.'), '1'.padEnd(100, '.')],
  );
});

test('at_least_once: megabyte fetch responses (assembled into reused buffers) come out exactly, record for record', async () => {
  // 1 KiB JSON values, 4 partitions: each fetch response spans many socket chunks, is assembled
  // into a pooled buffer and given back once processed, then holds a later response
  await createTopics(broker.bootstrap, [
    { name: 'big-in', partitions: 4 },
    { name: 'big-out', partitions: 4 },
  ]);
  const n = 12_000;
  const value = (i: number) => JSON.stringify({ i, page: `/p/${i % 97}`, pad: `${i}`.padEnd(1000, 'x') });
  for (let from = 0; from < n; from += 800)
    await produce(
      broker.bootstrap,
      'big-in',
      Array.from({ length: 800 }, (_, j) => from + j).map((i) => ({
        key: `k${i}`,
        value: value(i),
        partition: i % 4,
      })),
    );
  const b = new StreamsBuilder();
  b.stream('big-in', { keySerde: S, valueSerde: Serdes.JSON<{ i: number; page: string; pad: string }>() })
    .mapValues((v) => ({ ...v, page: v.page.toUpperCase() }))
    .to('big-out', { keySerde: S, valueSerde: Serdes.JSON() });
  const a = app(b, { 'application.id': 'big-responses' });
  await processAll(a, n, 60_000);
  await a.close();
  const out = await readWithLibrdkafka(broker.bootstrap, 'big-out', 4, 'read_uncommitted');
  assert.equal(out.length, n);
  const byKey = new Map(out.map((r) => [r.k, r.v]));
  for (let i = 0; i < n; i++) {
    const v = JSON.parse(value(i));
    assert.equal(byKey.get(`k${i}`), JSON.stringify({ ...v, page: v.page.toUpperCase() }), `record k${i}`);
  }
});
