/**
 * The Redis sink run by the Connect runtime: created with Redis Inc.'s class name and JsonConverter,
 * keys in a private redis-server end with the latest value per key after updates with deletes; a
 * malformed `redis.uri` is refused with Kafka Connect's 400 and the reason, and an unreachable
 * server shows as a FAILED task whose trace names the address.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { allRunning, startConnect, type TestConnect } from '../../helpers/connect.ts';
import { createTopic, produce } from '../../helpers/produce.ts';
import { startRedis, type TestRedis } from '../../helpers/redis-server.ts';

let broker: TestBroker;
let connect: TestConnect;
let server: TestRedis;
let redis: Redis;

before(async () => {
  broker = await startBroker({ numPartitions: 1 });
  connect = await startConnect({ bootstrap: broker.bootstrap });
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
});
after(async () => {
  redis.disconnect();
  await connect.stop();
  await server.stop();
  await broker.stop();
});

test('HASH cache kept current through samsa connect: latest value per key after updates and deletes', async () => {
  const topic = 'accounts';
  await createTopic(broker.bootstrap, topic, 3);
  const latest = new Map<string, Record<string, string> | null>();
  const records = Array.from({ length: 5_000 }, (_, i) => {
    const id = `a${(i * 31) % 300}`;
    const value = i % 13 === 0 ? null : { balance: String(i), owner: `o${i % 7}` };
    latest.set(id, value);
    return { key: id, value: value === null ? null : JSON.stringify(value), partition: ((i * 31) % 300) % 3 };
  });
  await produce(broker.bootstrap, topic, records);
  const created = await connect.call('POST', '/connectors', {
    name: 'accounts-redis',
    config: {
      'connector.class': 'com.redis.kafka.connect.RedisSinkConnector',
      'tasks.max': '2',
      topics: topic,
      'redis.uri': server.uri,
      'redis.type': 'HASH',
      'redis.keyspace': 'acct',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await connect.waitForStatus('accounts-redis', allRunning(2));
  const [lastKey, lastValue] = [...latest].at(-1)!;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const got = await redis.hgetall(`acct:${lastKey}`);
    const done = lastValue === null ? Object.keys(got).length === 0 : got.balance === lastValue.balance;
    if (done && (await redis.dbsize()) === [...latest.values()].filter((v) => v !== null).length) break;
    if (Date.now() > deadline) throw new Error('not caught up');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const [id, value] of latest) assert.deepEqual(await redis.hgetall(`acct:${id}`), value ?? {}, id);
  await connect.call('DELETE', '/connectors/accounts-redis');
});

test('a malformed redis.uri is refused; an unreachable Redis fails the task with the address in its trace', async () => {
  const refused = await connect.call<{ error_code: number; message: string }>('POST', '/connectors', {
    name: 'bad-uri',
    config: {
      'connector.class': 'samsa.connect.redis.RedisSinkConnector',
      topics: 't',
      'redis.uri': 'localhost:6379',
    },
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error_code, 400);
  assert.match(refused.body.message, /redis.uri/);
  const gone = await startRedis();
  await gone.stop();
  const created = await connect.call('POST', '/connectors', {
    name: 'no-redis',
    config: {
      'connector.class': 'samsa.connect.redis.RedisSinkConnector',
      topics: 'nothing',
      'redis.uri': gone.uri,
      'redis.timeout.ms': '2000',
    },
  });
  assert.equal(created.status, 201);
  const status = await connect.waitForStatus('no-redis', (s) => s.tasks[0]?.state === 'FAILED');
  assert.match(
    status.tasks[0]!.trace!,
    new RegExp(`could not connect to Redis at redis://127\\.0\\.0\\.1:${gone.port}: .*ECONNREFUSED`),
  );
  await connect.call('DELETE', '/connectors/no-redis');
});
