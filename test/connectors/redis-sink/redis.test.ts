/**
 * The Redis sink task against a private redis-server and a real broker: latest value per key after
 * many updates with deletes (also after a crashed task's successor replays uncommitted batches),
 * every target type (STRING, HASH, JSON, STREAM, LIST, SET) with keyspace, separator, TTL and
 * Redis Inc.'s `redis.command` spelling, and bad input: a malformed URI, an unreachable server,
 * records that cannot be written, and Redis going away mid-run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import {
  ConnectorConfig,
  RetriableError,
  type SinkRecord,
  type SinkTaskContext,
} from '../../../src/connect/api/index.ts';
import { REDIS_SINK_CONFIG } from '../../../src/connectors/redis-sink/config.ts';
import { RedisSinkTask } from '../../../src/connectors/redis-sink/index.ts';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { createTopic, produce } from '../../helpers/produce.ts';
import { startRedis, type TestRedis } from '../../helpers/redis-server.ts';
import { runSinkTask } from '../../helpers/sink-harness.ts';
import { volume } from '../../helpers/soak.ts';

let broker: TestBroker;
let server: TestRedis;
let redis: Redis;

before(async () => {
  broker = await startBroker({ numPartitions: 1 });
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
});
after(async () => {
  redis.disconnect();
  await server.stop();
  await broker.stop();
});

async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function bareContext(overrides: Partial<SinkTaskContext> = {}): SinkTaskContext {
  return {
    connectorName: 'redis-test',
    taskId: 0,
    logger: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    assignment: () => [],
    offset() {},
    timeout() {},
    pause() {},
    resume() {},
    requestCommit() {},
    errantRecordReporter: null,
    kafka: { send: async () => {}, ensureTopic: async () => {} },
    ...overrides,
  };
}

function sinkRecord(topic: string, key: unknown, value: unknown, offset = 0n): SinkRecord {
  return {
    topic,
    kafkaPartition: 0,
    keySchema: null,
    key,
    valueSchema: null,
    value,
    timestamp: 0,
    headers: [],
    kafkaOffset: offset,
    timestampType: 'CreateTime',
    originalTopic: topic,
    originalKafkaPartition: 0,
    originalKafkaOffset: offset,
    raw: { key: null, value: null, headers: [], timestamp: 0 },
  };
}

test('STRING: the latest value per key after 20,000 updates (SAMSA_SOAK=1: 100,000) over 1,000 keys with deletes, also across a crash', async () => {
  const topic = 'prices';
  await createTopic(broker.bootstrap, topic, 3);
  const latest = new Map<string, string | null>();
  const total = volume(20_000, 100_000);
  const records = Array.from({ length: total }, (_, i) => {
    const key = `sku-${(i * 7919) % 1000}`;
    const value = i % 11 === 0 ? null : `v${i}`;
    latest.set(key, value);
    return { key, value, partition: ((i * 7919) % 1000) % 3 };
  });
  await produce(broker.bootstrap, topic, records.slice(0, total / 2));
  const config = { topics: topic, 'redis.uri': server.uri, 'redis.type': 'STRING' };
  const first = new RedisSinkTask();
  let harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task: first,
    config,
    topics: [topic],
    groupId: 'g-prices',
    commitIntervalMs: 1000,
  });
  await waitFor('half written', () => first.written >= total / 4);
  await harness.crash();
  await produce(broker.bootstrap, topic, records.slice(total / 2));
  const second = new RedisSinkTask();
  harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task: second,
    config,
    topics: [topic],
    groupId: 'g-prices',
  });
  await waitFor('all written', () => first.written + second.written >= total, volume(30_000, 300_000));
  await harness.stop();
  const keys = [...latest.keys()];
  const values = await redis.mget(keys.map((k) => `${topic}:${k}`));
  keys.forEach((k, i) => {
    assert.equal(values[i], latest.get(k), k);
  });
  assert.ok(
    [...latest.values()].some((v) => v === null),
    'some keys end deleted',
  );
});

test('HASH: fields from JSON values replace the hash; tombstones delete it; TTL and keyspace apply', async () => {
  const topic = 'users';
  await createTopic(broker.bootstrap, topic);
  await produce(broker.bootstrap, topic, [
    { key: '1', value: JSON.stringify({ name: 'Ann', plan: 'pro', visits: 3 }) },
    { key: '2', value: JSON.stringify({ name: 'Bob', tags: ['a', 'b'] }) },
    { key: '1', value: JSON.stringify({ name: 'Ann B', visits: 4 }) },
    { key: '3', value: JSON.stringify({ name: 'Cy' }) },
    { key: '3', value: null },
  ]);
  const task = new RedisSinkTask();
  const harness = await runSinkTask({
    bootstrap: broker.bootstrap,
    task,
    config: {
      topics: topic,
      'redis.uri': server.uri,
      'redis.type': 'HASH',
      'redis.keyspace': `cache.${'$'}{topic}`,
      'redis.separator': '/',
      'redis.key.ttl': '100',
    },
    topics: [topic],
    groupId: 'g-users',
    valueConverter: 'json',
  });
  await waitFor('written', () => task.written === 5);
  await harness.stop();
  assert.deepEqual(await redis.hgetall('cache.users/1'), { name: 'Ann B', visits: '4' });
  assert.deepEqual(await redis.hgetall('cache.users/2'), { name: 'Bob', tags: '["a","b"]' });
  assert.equal(await redis.exists('cache.users/3'), 0);
  const ttl = await redis.ttl('cache.users/1');
  assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
});

test('JSON, STREAM, LIST and SET targets, and the redis.command spelling', async () => {
  const topic = 'things';
  await createTopic(broker.bootstrap, topic);
  await produce(broker.bootstrap, topic, [
    { key: 'a', value: '{"n":1}' },
    { key: 'b', value: '{"n":2}' },
    { key: 'a', value: null },
    { key: 'c', value: '{"n":3}' },
  ]);
  const run = async (config: Record<string, string>, group: string): Promise<void> => {
    const task = new RedisSinkTask();
    const harness = await runSinkTask({
      bootstrap: broker.bootstrap,
      task,
      config: { topics: topic, 'redis.uri': server.uri, ...config },
      topics: [topic],
      groupId: group,
      valueConverter: 'json',
    });
    await waitFor('written', () => task.written === 4);
    await harness.stop();
  };
  await run({ 'redis.command': 'JSONSET', 'redis.keyspace': 'doc' }, 'g-json');
  assert.equal(await redis.get('doc:b'), '{"n":2}');
  assert.equal(await redis.exists('doc:a'), 0);
  await run({ 'redis.type': 'STREAM', 'redis.keyspace': `stream:${'$'}{topic}` }, 'g-stream');
  const entries = await redis.xrange('stream:things', '-', '+');
  assert.deepEqual(
    entries.map(([, fields]) => fields),
    [
      ['n', '1'],
      ['n', '2'],
      ['n', '3'],
    ],
  );
  await run({ 'redis.command': 'RPUSH', 'redis.keyspace': 'list' }, 'g-list');
  assert.deepEqual(
    await redis.lrange('list', 0, -1),
    ['b', 'c'],
    'a pushed, b pushed, a removed by its tombstone, c pushed',
  );
  await run({ 'redis.type': 'SET', 'redis.keyspace': 'set', 'redis.key.ttl': '50' }, 'g-set');
  assert.deepEqual((await redis.smembers('set')).sort(), ['b', 'c']);
  assert.ok((await redis.ttl('set')) > 40);
});

test('bad input: a malformed URI, an unreachable server, unwritable records, Redis going away', async (t) => {
  const tasks: RedisSinkTask[] = [];
  t.after(() => Promise.allSettled(tasks.map((task) => task.stop())));
  const track = (task: RedisSinkTask): RedisSinkTask => {
    tasks.push(task);
    return task;
  };
  const bad = new ConnectorConfig(REDIS_SINK_CONFIG, { 'redis.uri': 'http://localhost:1' });
  assert.match(
    bad.errors.get('redis.uri')![0]!,
    /scheme http:\/\/ is not supported \(use redis:\/\/ or rediss:\/\/\)/,
  );
  assert.match(
    new ConnectorConfig(REDIS_SINK_CONFIG, { 'redis.uri': 'redis://h/x' }).errors.get('redis.uri')![0]!,
    /not a database number/,
  );
  await assert.rejects(
    new RedisSinkTask().start({ 'redis.uri': 'nonsense' }, bareContext()),
    /redis.uri.*not a URI/s,
  );

  const gone = await startRedis();
  const uri = gone.uri;
  await gone.stop();
  await assert.rejects(
    new RedisSinkTask().start({ 'redis.uri': uri, 'redis.timeout.ms': '2000' }, bareContext()),
    (err: Error) => {
      assert.equal(err.name, 'ConnectError');
      assert.match(
        err.message,
        new RegExp(`could not connect to Redis at ${uri.replace(/[.]/g, '\\.')}: .*ECONNREFUSED`),
      );
      return true;
    },
  );

  // A HASH value without fields and a record without a key: to the errant record reporter, or a
  // task failure naming the record; the good records around them are written.
  const reported: string[] = [];
  const task = track(new RedisSinkTask());
  await task.start(
    { 'redis.uri': server.uri, 'redis.type': 'HASH' },
    bareContext({
      errantRecordReporter: { report: async (r, e) => void reported.push(`${String(r.key)}: ${e.message}`) },
    }),
  );
  await task.put([
    sinkRecord('bad', 'ok1', { f: 1 }, 0n),
    sinkRecord('bad', 'k', 'just text', 1n),
    sinkRecord('bad', null, { f: 2 }, 2n),
    sinkRecord('bad', 'ok2', { f: 3 }, 3n),
  ]);
  assert.deepEqual(reported, [
    'k: redis.type=HASH needs a value with fields (a struct or JSON object, e.g. through JsonConverter); got string',
    'null: redis.type=HASH needs a record key (the Redis key is <keyspace>:<record key>)',
  ]);
  assert.deepEqual(await redis.hgetall('bad:ok2'), { f: '3' });
  await task.stop();
  await redis.set('taken', 'a string');
  const sets = track(new RedisSinkTask());
  await sets.start(
    { 'redis.uri': server.uri, 'redis.type': 'SET', 'redis.keyspace': 'taken' },
    bareContext({
      errantRecordReporter: { report: async (r, e) => void reported.push(`${String(r.key)}: ${e.message}`) },
    }),
  );
  await sets.put([sinkRecord('bad', 'member', 'x', 4n)]);
  assert.match(reported[2]!, /^member: Redis answered WRONGTYPE .* to SADD$/);

  const strict = track(new RedisSinkTask());
  await strict.start({ 'redis.uri': server.uri, 'redis.type': 'HASH' }, bareContext());
  await assert.rejects(
    strict.put([sinkRecord('bad', 'k', 'text', 9n)]),
    /record bad-0 offset 9 cannot be written to Redis: redis.type=HASH needs a value with fields/,
  );
  await strict.stop();

  // Redis stops mid-run: put throws RetriableError so the runtime redelivers the batch later.
  const flaky = await startRedis();
  const mortal = track(new RedisSinkTask());
  await mortal.start(
    { 'redis.uri': flaky.uri, 'redis.type': 'STRING', 'redis.timeout.ms': '1000' },
    bareContext(),
  );
  await mortal.put([sinkRecord('t', 'a', 'x')]);
  await flaky.stop();
  await assert.rejects(
    mortal.put([sinkRecord('t', 'a', 'y')]),
    (err: Error) => err instanceof RetriableError && /is unavailable/.test(err.message),
  );
  await mortal.stop();
});
