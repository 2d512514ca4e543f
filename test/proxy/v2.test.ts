/**
 * REST Proxy API v2 over plain HTTP against a real broker: topics and partitions, produce in the
 * json and binary formats (per-record partition/offset, Confluent's errors and content types),
 * consumer instances reading what kcat wrote (subscription, offsets, seeks, manual assignments,
 * format checks, a small buffer crossed many times, idle expiry), and the request size limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import { type RunningProxy, startProxy } from '../../src/proxy/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run } from '../helpers/run.ts';
import { BINARY_V2, createTopics, http, JSON_V2, V2 } from './helpers.ts';

let broker: TestBroker;
let proxy: RunningProxy;
let url: string;

before(async () => {
  broker = await startBroker({ numPartitions: 1 });
  await createTopics(broker.bootstrap, ['orders', 'kcat-written', 'many', 'binary-in'], 3);
  proxy = await startProxy({
    connection: { bootstrapBrokers: [broker.bootstrap] },
    port: 0,
    limits: {
      maxRequestBytes: 256 * 1024,
      consumerBufferBytes: 32 * 1024,
      consumerInstanceTimeoutMs: 1500,
      consumerPatternRefreshMs: 300,
    },
  });
  url = proxy.url;
});
after(async () => {
  await proxy?.stop();
  await broker?.stop();
});

describe('v2 topics and partitions', () => {
  it('lists topics, describes one with its partitions and configs, and answers Confluent errors', async () => {
    const list = await http(url, 'GET', '/topics');
    assert.equal(list.status, 200);
    assert.equal(list.type, V2);
    assert.deepEqual((list.json as string[]).filter((t) => !t.startsWith('_')).sort(), [
      'binary-in',
      'kcat-written',
      'many',
      'orders',
    ]);

    const topic = (await http(url, 'GET', '/topics/orders')).json as {
      name: string;
      configs: Record<string, string>;
      partitions: {
        partition: number;
        leader: number;
        replicas: { broker: number; leader: boolean; in_sync: boolean }[];
      }[];
    };
    assert.equal(topic.name, 'orders');
    assert.equal(topic.configs['cleanup.policy'], 'delete');
    assert.equal(topic.partitions.length, 3);
    const { brokers } = (await http(url, 'GET', '/brokers')).json as { brokers: number[] };
    assert.equal(brokers.length, 1);
    const node = brokers[0]!;
    assert.deepEqual(topic.partitions[1], {
      partition: 1,
      leader: node,
      replicas: [{ broker: node, leader: true, in_sync: true }],
    });

    const partitions = await http(url, 'GET', '/topics/orders/partitions');
    assert.equal((partitions.json as unknown[]).length, 3);
    assert.deepEqual((await http(url, 'GET', '/topics/orders/partitions/2')).json, topic.partitions[2]);

    const offsets = await http(url, 'GET', '/topics/orders/partitions/0/offsets');
    assert.deepEqual(
      [offsets.status, offsets.type, offsets.json],
      [200, V2, { beginning_offset: 0, end_offset: 0 }],
    );

    const missing = await http(url, 'GET', '/topics/nope');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { error_code: 40401, message: 'Topic not found.' });
    const badPartition = await http(url, 'GET', '/topics/orders/partitions/7');
    assert.deepEqual(
      [badPartition.status, badPartition.json],
      [404, { error_code: 40402, message: 'Partition not found.' }],
    );
    const nowhere = await http(url, 'GET', '/no/such/path');
    assert.deepEqual(
      [nowhere.status, nowhere.json],
      [404, { error_code: 404, message: 'HTTP 404 Not Found' }],
    );
  });
});

describe('v2 produce', () => {
  it('json: per-record partition and offset, keys partitioned like Java, explicit partitions honoured', async () => {
    const body = {
      records: [
        { key: 'alice', value: { item: 1 } },
        { key: 'alice', value: { item: 2 } },
        { value: [1, 2, 3], partition: 2 },
        { value: null },
      ],
    };
    const res = await http(url, 'POST', '/topics/orders', { type: JSON_V2, body });
    assert.equal(res.status, 200);
    assert.equal(res.type, V2);
    const out = res.json as {
      key_schema_id: null;
      value_schema_id: null;
      offsets: { partition: number; offset: number; error_code: null; error: null }[];
    };
    assert.equal(out.key_schema_id, null);
    assert.equal(out.value_schema_id, null);
    assert.equal(out.offsets.length, 4);
    assert.equal(out.offsets[0]!.partition, out.offsets[1]!.partition, 'one key, one partition');
    // The partition Java's (and KafkaJS's) default partitioner picks for the key.
    const javaLike = Partitioners.DefaultPartitioner()({
      topic: 'orders',
      partitionMetadata: [0, 1, 2].map((partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      })),
      message: { key: Buffer.from('"alice"'), value: null },
    });
    assert.equal(out.offsets[0]!.partition, javaLike);
    assert.equal(out.offsets[1]!.offset, out.offsets[0]!.offset + 1);
    assert.equal(out.offsets[2]!.partition, 2);
    for (const o of out.offsets) assert.deepEqual([o.error_code, o.error], [null, null]);

    // The offsets say where the records are: read them back with kcat.
    const first = out.offsets[0]!;
    const read = await run('kcat', [
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      'orders',
      '-p',
      String(first.partition),
      '-o',
      String(first.offset),
      '-c',
      '2',
      '-e',
      '-q',
      '-f',
      '%k=%s\\n',
    ]);
    assert.equal(read.stdout, '"alice"={"item":1}\n"alice"={"item":2}\n');

    const fixed = await http(url, 'POST', '/topics/orders/partitions/1', {
      type: JSON_V2,
      body: { records: [{ value: 'x' }, { value: 'y' }] },
    });
    assert.deepEqual(
      (fixed.json as { offsets: { partition: number }[] }).offsets.map((o) => o.partition),
      [1, 1],
    );
  });

  it('binary: base64 keys and values are stored as their bytes', async () => {
    const res = await http(url, 'POST', '/topics/binary-in/partitions/0', {
      type: BINARY_V2,
      body: {
        records: [
          {
            key: Buffer.from('k1').toString('base64'),
            value: Buffer.from([0, 1, 2, 255]).toString('base64'),
          },
        ],
      },
    });
    assert.equal(res.status, 200);
    const read = await run('kcat', [
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      'binary-in',
      '-p',
      '0',
      '-o',
      'beginning',
      '-c',
      '1',
      '-e',
      '-q',
      '-f',
      '%k %S\\n',
    ]);
    assert.equal(read.stdout, 'k1 4\n');
  });

  it('errors: malformed JSON 400, bad base64 422, no records 422, unknown topic 404, wrong media type 415, avro without a registry 415, too large 413', async () => {
    const malformed = await http(url, 'POST', '/topics/orders', { type: JSON_V2, body: '{"records": [' });
    assert.equal(malformed.status, 400);
    assert.equal((malformed.json as { error_code: number }).error_code, 400);

    const base64 = await http(url, 'POST', '/topics/orders', {
      type: BINARY_V2,
      body: { records: [{ value: 'not base64!' }] },
    });
    assert.equal(base64.status, 422);
    assert.match((base64.json as { message: string }).message, /records\[0\]\.value.*not valid base64/);

    const noRecords = await http(url, 'POST', '/topics/orders', { type: JSON_V2, body: { value: 1 } });
    assert.equal(noRecords.status, 422);

    const unknown = await http(url, 'POST', '/topics/nope', {
      type: JSON_V2,
      body: { records: [{ value: 1 }] },
    });
    assert.deepEqual(
      [unknown.status, unknown.json],
      [404, { error_code: 40401, message: 'Topic not found.' }],
    );

    const plain = await http(url, 'POST', '/topics/orders', {
      type: 'application/json',
      body: { records: [{ value: 1 }] },
    });
    assert.equal(plain.status, 415);
    const avro = await http(url, 'POST', '/topics/orders', {
      type: 'application/vnd.kafka.avro.v2+json',
      body: { value_schema_id: 1, records: [{ value: 1 }] },
    });
    assert.equal(avro.status, 415);
    assert.match(
      (avro.json as { message: string }).message,
      /avro format needs a schema registry: start the proxy with --registry-url/,
    );

    const big = await http(url, 'POST', '/topics/orders', {
      type: JSON_V2,
      body: { records: [{ value: 'x'.repeat(300 * 1024) }] },
    });
    assert.equal(big.status, 413);
    assert.equal((big.json as { error_code: number }).error_code, 413);
  });
});

describe('v2 consumer instances', () => {
  it('a consumer instance reads what a kcat producer wrote, commits, seeks and is deleted', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `key-${i % 7}:value-${i}`).join('\n');
    const produced = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'kcat-written', '-K:'], {
      input: `${lines}\n`,
    });
    assert.equal(produced.code, 0, produced.stderr);

    const created = await http(url, 'POST', '/consumers/readers', {
      type: V2,
      body: { name: 'r1', format: 'binary', 'auto.offset.reset': 'earliest', 'auto.commit.enable': 'false' },
    });
    assert.equal(created.status, 200);
    assert.deepEqual(created.json, { instance_id: 'r1', base_uri: `${url}/consumers/readers/instances/r1` });
    const base = '/consumers/readers/instances/r1';
    const duplicate = await http(url, 'POST', '/consumers/readers', {
      type: V2,
      body: { name: 'r1', format: 'binary' },
    });
    assert.equal((duplicate.json as { error_code: number }).error_code, 40902);

    assert.equal(
      (await http(url, 'POST', `${base}/subscription`, { type: V2, body: { topics: ['kcat-written'] } }))
        .status,
      204,
    );
    assert.deepEqual((await http(url, 'GET', `${base}/subscription`)).json, { topics: ['kcat-written'] });
    const wrongFormat = await http(url, 'GET', `${base}/records`, { accept: JSON_V2 });
    assert.deepEqual(
      [wrongFormat.status, (wrongFormat.json as { error_code: number }).error_code],
      [406, 40601],
    );

    const seen: { key: string; value: string; partition: number; offset: number }[] = [];
    for (let i = 0; i < 40 && seen.length < 300; i++) {
      const res = await http(url, 'GET', `${base}/records?timeout=1000&max_bytes=4096`, {
        accept: BINARY_V2,
      });
      assert.equal(res.status, 200);
      assert.equal(res.type, BINARY_V2);
      for (const r of res.json as {
        topic: string;
        key: string;
        value: string;
        partition: number;
        offset: number;
      }[]) {
        assert.equal(r.topic, 'kcat-written');
        seen.push({
          ...r,
          key: Buffer.from(r.key, 'base64').toString(),
          value: Buffer.from(r.value, 'base64').toString(),
        });
      }
    }
    assert.equal(seen.length, 300, 'every record once');
    assert.deepEqual(new Set(seen.map((r) => r.value)).size, 300);
    for (const r of seen) assert.equal(r.key, `key-${Number(r.value.slice(6)) % 7}`);
    const byPartition = new Map<number, number[]>();
    for (const r of seen) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.offset]);
    for (const offsets of byPartition.values())
      assert.deepEqual(
        offsets,
        [...offsets].sort((a, b) => a - b),
        'in order per partition',
      );

    // Commit everything returned; the committed position is the next offset.
    assert.equal((await http(url, 'POST', `${base}/offsets`, { type: V2 })).status, 200);
    const partitions = [0, 1, 2].map((partition) => ({ topic: 'kcat-written', partition }));
    const committed = (await http(url, 'GET', `${base}/offsets`, { type: V2, body: { partitions } }))
      .json as {
      offsets: { partition: number; offset: number }[];
    };
    for (const c of committed.offsets) assert.equal(c.offset, byPartition.get(c.partition)!.length);

    // Seek partition 0 back to the beginning: its records come again.
    const assigned = (await http(url, 'GET', `${base}/assignments`)).json as { partitions: unknown[] };
    assert.equal(assigned.partitions.length, 3);
    assert.equal(
      (
        await http(url, 'POST', `${base}/positions/beginning`, {
          type: V2,
          body: { partitions: [{ topic: 'kcat-written', partition: 0 }] },
        })
      ).status,
      204,
    );
    const again = (await http(url, 'GET', `${base}/records?timeout=2000`, { accept: BINARY_V2 })).json as {
      partition: number;
      offset: number;
    }[];
    assert.ok(again.length > 0);
    assert.deepEqual([again[0]!.partition, again[0]!.offset], [0, 0]);
    const explicit = await http(url, 'POST', `${base}/positions`, {
      type: V2,
      body: { offsets: [{ topic: 'kcat-written', partition: 1, offset: 5 }] },
    });
    assert.equal(explicit.status, 204);
    const notAssigned = await http(url, 'POST', `${base}/positions`, {
      type: V2,
      body: { offsets: [{ topic: 'orders', partition: 0, offset: 0 }] },
    });
    assert.equal((notAssigned.json as { error_code: number }).error_code, 40903);

    // To the end: nothing more until new records arrive.
    const all = [0, 1, 2].map((partition) => ({ topic: 'kcat-written', partition }));
    assert.equal(
      (await http(url, 'POST', `${base}/positions/end`, { type: V2, body: { partitions: all } })).status,
      204,
    );
    assert.deepEqual((await http(url, 'GET', `${base}/records?timeout=300`, { accept: BINARY_V2 })).json, []);

    assert.equal((await http(url, 'DELETE', `${base}/subscription`)).status, 204);
    assert.deepEqual((await http(url, 'GET', `${base}/subscription`)).json, { topics: [] });
    assert.deepEqual((await http(url, 'GET', `${base}/assignments`)).json, { partitions: [] });

    assert.equal((await http(url, 'DELETE', base)).status, 204);
    const gone = await http(url, 'GET', `${base}/records`, { accept: BINARY_V2 });
    assert.deepEqual(
      [gone.status, gone.json],
      [404, { error_code: 40403, message: 'Consumer instance not found.' }],
    );
  });

  it('a topic_pattern subscription and an invalid consumer configuration', async () => {
    const bad = await http(url, 'POST', '/consumers/cfg', { type: V2, body: { name: 'x', format: 'xml' } });
    assert.deepEqual([bad.status, (bad.json as { error_code: number }).error_code], [422, 42204]);
    const reset = await http(url, 'POST', '/consumers/cfg', {
      type: V2,
      body: { name: 'y', 'auto.offset.reset': 'sometimes' },
    });
    assert.equal((reset.json as { error_code: number }).error_code, 42204);

    await http(url, 'POST', '/consumers/pattern', { type: V2, body: { name: 'p', format: 'binary' } });
    const base = '/consumers/pattern/instances/p';
    assert.equal(
      (
        await http(url, 'POST', `${base}/subscription`, {
          type: V2,
          body: { topic_pattern: 'kcat-.*|binary-in' },
        })
      ).status,
      204,
    );
    assert.deepEqual(
      ((await http(url, 'GET', `${base}/subscription`)).json as { topics: string[] }).topics.sort(),
      ['binary-in', 'kcat-written'],
    );
    assert.equal((await http(url, 'DELETE', base)).status, 204);
  });

  it('a topic_pattern subscription picks up a matching topic created later', async () => {
    await createTopics(broker.bootstrap, ['pat-a'], 1);
    await http(url, 'POST', '/consumers/later', {
      type: V2,
      body: { name: 'l', format: 'json', 'auto.offset.reset': 'earliest' },
    });
    const base = '/consumers/later/instances/l';
    await http(url, 'POST', `${base}/subscription`, { type: V2, body: { topic_pattern: 'pat-.*' } });
    await http(url, 'POST', '/topics/pat-a', { type: JSON_V2, body: { records: [{ value: 'a' }] } });
    await createTopics(broker.bootstrap, ['pat-b'], 1);
    await http(url, 'POST', '/topics/pat-b', { type: JSON_V2, body: { records: [{ value: 'b' }] } });
    const seen: string[] = [];
    for (let i = 0; i < 40 && seen.length < 2; i++) {
      const res = await http(url, 'GET', `${base}/records?timeout=300`, {
        accept: 'application/vnd.kafka.json.v2+json',
      });
      assert.equal(res.status, 200, res.text);
      for (const r of res.json as { topic: string; value: string }[]) seen.push(`${r.topic}:${r.value}`);
    }
    assert.deepEqual(seen.sort(), ['pat-a:a', 'pat-b:b']);
    assert.deepEqual(
      ((await http(url, 'GET', `${base}/subscription`)).json as { topics: string[] }).topics.sort(),
      ['pat-a', 'pat-b'],
    );
    assert.equal((await http(url, 'DELETE', base)).status, 204);
  });

  it('manual assignment, the json format, a 32 KiB buffer crossed many times, and idle expiry', async () => {
    const records = Array.from({ length: 400 }, (_, i) => ({ value: { i, pad: 'p'.repeat(400) } }));
    const produced = await http(url, 'POST', '/topics/many/partitions/1', {
      type: JSON_V2,
      body: { records },
    });
    assert.equal(produced.status, 200);
    await http(url, 'POST', '/consumers/manual', {
      type: V2,
      body: { name: 'm', format: 'json', 'auto.offset.reset': 'earliest' },
    });
    const base = '/consumers/manual/instances/m';
    assert.equal(
      (
        await http(url, 'POST', `${base}/assignments`, {
          type: V2,
          body: { partitions: [{ topic: 'many', partition: 1 }] },
        })
      ).status,
      204,
    );
    assert.deepEqual((await http(url, 'GET', `${base}/assignments`)).json, {
      partitions: [{ topic: 'many', partition: 1 }],
    });
    const subscribeToo = await http(url, 'POST', `${base}/subscription`, {
      type: V2,
      body: { topics: ['many'] },
    });
    assert.equal((subscribeToo.json as { error_code: number }).error_code, 40901);
    const got: number[] = [];
    for (let i = 0; i < 60 && got.length < 400; i++) {
      const res = await http(url, 'GET', `${base}/records?timeout=1000`, { accept: JSON_V2 });
      for (const r of res.json as { value: { i: number } }[]) got.push(r.value.i);
    }
    assert.deepEqual(
      got,
      Array.from({ length: 400 }, (_, i) => i),
    );

    // Unused for longer than the instance timeout (1.5 s here): gone.
    await new Promise((r) => setTimeout(r, 3500));
    const expired = await http(url, 'GET', `${base}/assignments`);
    assert.equal((expired.json as { error_code: number }).error_code, 40403);
  });
});
