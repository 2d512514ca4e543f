/**
 * The registry's state lives in the `_schemas` topic: its records are Confluent's JSON format
 * byte for byte, a registry restarted (with the broker restarted too) serves the same subjects and
 * ids and continues numbering, a topic written as Confluent writes it is read, and several instances
 * against one cluster agree — one primary elected through the group, the others forwarding writes,
 * a new primary taking over when the old one leaves.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/testing/index.ts';
import { call, registryFor } from './helpers.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function readSchemasTopic(bootstrap: string): Promise<{ key: string; value: string | null }[]> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'schemas-reader', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const [offsets] = await admin.fetchTopicOffsets('_schemas');
  const end = Number(offsets!.high);
  await admin.disconnect();
  // A short fetch wait: disconnect() waits for the fetch in flight (KafkaJS's default 5 s long poll).
  const consumer = kafka.consumer({ groupId: `schemas-reader-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: '_schemas', fromBeginning: true });
  const records: { key: string; value: string | null }[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          records.push({ key: message.key!.toString(), value: message.value?.toString() ?? null });
          if (Number(message.offset) + 1 >= end) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records;
}

test("_schemas holds Confluent's records; state and ids survive restarts of the registry and the broker", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-registry-restart-'));
  dirs.push(dataDir);
  let broker = await startBroker({ dataDir });
  let registry = await registryFor(broker);
  const json = { type: 'object', properties: { a: { type: 'string' } } };
  const r1 = await call(registry.url, 'POST', '/subjects/keep-value/versions', { schema: '"string"' });
  const r2 = await call(registry.url, 'POST', '/subjects/keep-json/versions', {
    schemaType: 'JSON',
    schema: JSON.stringify(json),
    references: [],
  });
  await call(registry.url, 'PUT', '/config/keep-value', { compatibility: 'FULL' });
  await call(registry.url, 'PUT', '/mode/keep-json', { mode: 'READONLY' });
  await call(registry.url, 'POST', '/subjects/soft-value/versions', { schema: '"int"' });
  await call(registry.url, 'DELETE', '/subjects/soft-value');
  const records = await readSchemasTopic(broker.bootstrap);
  const keys = records.map((r) => r.key);
  assert.ok(
    keys.includes('{"keytype":"SCHEMA","subject":"keep-value","version":1,"magic":1}'),
    keys.join('\n'),
  );
  const value = records.find(
    (r) => r.key === '{"keytype":"SCHEMA","subject":"keep-json","version":1,"magic":1}',
  )!.value;
  assert.equal(
    value,
    `{"subject":"keep-json","version":1,"id":${(r2.body as { id: number }).id},"schemaType":"JSON","schema":${JSON.stringify(JSON.stringify(json))},"deleted":false}`,
  );
  assert.equal(
    records.find((r) => r.key === '{"keytype":"CONFIG","subject":"keep-value","magic":0}')?.value,
    '{"subject":"keep-value","compatibilityLevel":"FULL"}',
  );
  assert.equal(
    records.find((r) => r.key === '{"keytype":"MODE","subject":"keep-json","magic":0}')?.value,
    '{"subject":"keep-json","mode":"READONLY"}',
  );
  assert.equal(
    records.find((r) => r.key === '{"keytype":"DELETE_SUBJECT","subject":"soft-value","magic":0}')?.value,
    '{"subject":"soft-value","version":1}',
  );

  await registry.stop();
  await broker.stop();
  broker = await startBroker({ dataDir });
  registry = await registryFor(broker);
  try {
    assert.deepEqual((await call(registry.url, 'GET', '/subjects')).body, ['keep-json', 'keep-value']);
    assert.deepEqual((await call(registry.url, 'GET', '/subjects?deleted=true')).body, [
      'keep-json',
      'keep-value',
      'soft-value',
    ]);
    assert.deepEqual((await call(registry.url, 'GET', '/subjects/keep-value/versions/1')).body, {
      subject: 'keep-value',
      version: 1,
      id: (r1.body as { id: number }).id,
      schema: '"string"',
    });
    assert.deepEqual((await call(registry.url, 'GET', '/config/keep-value')).body, {
      compatibilityLevel: 'FULL',
    });
    assert.deepEqual((await call(registry.url, 'GET', '/mode/keep-json')).body, { mode: 'READONLY' });
    const next = await call(registry.url, 'POST', '/subjects/new-value/versions', { schema: '"double"' });
    const maxBefore = Math.max((r1.body as { id: number }).id, (r2.body as { id: number }).id, 3);
    assert.equal((next.body as { id: number }).id, maxBefore + 1, 'ids continue after the largest one');
  } finally {
    await registry.stop();
    await broker.stop();
  }
});

test('the registry rides out a broker restart: reads keep answering, writes work again once it is back', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-registry-broker-restart-'));
  dirs.push(dataDir);
  let broker = await startBroker({ dataDir });
  const port = broker.port;
  const registry = await registryFor(broker);
  try {
    await call(registry.url, 'POST', '/subjects/before-value/versions', { schema: '"string"' });
    await broker.stop();
    assert.deepEqual(
      (await call(registry.url, 'GET', '/subjects')).body,
      ['before-value'],
      'reads come from memory',
    );
    broker = await startBroker({ dataDir, port });
    let after: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 60 && after?.status !== 200; i++) {
      after = await call(registry.url, 'POST', '/subjects/after-value/versions', { schema: '"int"' });
      if (after.status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(after?.status, 200, after?.text);
    assert.deepEqual((await call(registry.url, 'GET', '/subjects')).body, ['after-value', 'before-value']);
  } finally {
    await registry.stop();
    await broker.stop();
  }
});

test('a _schemas topic written by Confluent Schema Registry (newer fields, NOOP records) is read', async () => {
  const broker = await startBroker();
  const kafka = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'confluent-writer',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: '_schemas', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: '_schemas',
    messages: [
      { key: '{"keytype":"NOOP","magic":0}', value: null },
      { key: '{"keytype":"CONFIG","magic":0}', value: '{"compatibilityLevel":"FORWARD"}' },
      {
        key: '{"keytype":"SCHEMA","subject":"legacy-value","version":1,"magic":1}',
        value:
          '{"subject":"legacy-value","version":1,"id":21,"md5":"aGVsbG8=","schema":"{\\"type\\":\\"record\\",\\"name\\":\\"L\\",\\"fields\\":[{\\"name\\":\\"f\\",\\"type\\":\\"string\\"}]}","metadata":{"properties":{"owner":"x"}},"deleted":false}',
      },
      {
        key: '{"keytype":"SCHEMA","subject":"legacy-proto","version":1,"magic":1}',
        value:
          '{"subject":"legacy-proto","version":1,"id":22,"schemaType":"PROTOBUF","schema":"syntax = \\"proto3\\";\\n\\nmessage P {\\n  string s = 1;\\n}\\n","deleted":false}',
      },
      {
        key: '{"keytype":"CONTEXT","tenant":"default","context":".ctx","magic":0}',
        value: '{"tenant":"default","context":".ctx"}',
      },
      { key: 'not json', value: 'ignored' },
    ],
  });
  await producer.disconnect();
  const registry = await registryFor(broker);
  try {
    assert.deepEqual((await call(registry.url, 'GET', '/config')).body, { compatibilityLevel: 'FORWARD' });
    assert.deepEqual((await call(registry.url, 'GET', '/subjects')).body, ['legacy-proto', 'legacy-value']);
    assert.equal(
      ((await call(registry.url, 'GET', '/schemas/ids/22')).body as { schemaType: string }).schemaType,
      'PROTOBUF',
    );
    const next = await call(registry.url, 'POST', '/subjects/fresh-value/versions', { schema: '"long"' });
    assert.deepEqual(next.body, { id: 23 });
    // FORWARD (the imported global level) applies: the old schema must read the new one
    const bad = await call(registry.url, 'POST', '/subjects/legacy-value/versions', {
      schema: JSON.stringify({ type: 'record', name: 'L', fields: [{ name: 'g', type: 'string' }] }),
    });
    assert.equal(bad.status, 409);
  } finally {
    await registry.stop();
    await broker.stop();
  }
});

test('two instances agree: one primary, the other forwards writes; the second takes over when the first leaves', async () => {
  const broker = await startBroker();
  const first = await registryFor(broker);
  const second = await registryFor(broker);
  try {
    // Both are in the group; exactly one is the primary and the other names it.
    const deadline = Date.now() + 20_000;
    while (!(first.isLeader() !== second.isLeader() && (first.leaderUrl() ?? second.leaderUrl()) !== null)) {
      if (Date.now() > deadline) assert.fail('no single primary elected');
      await new Promise((r) => setTimeout(r, 100));
    }
    const [primary, follower] = first.isLeader() ? [first, second] : [second, first];
    assert.equal(follower.leaderUrl(), primary.url);
    // The smaller URL wins, as Confluent's assignment does.
    assert.ok(primary.url < follower.url);

    const viaFollower = await call(follower.url, 'POST', '/subjects/shared-value/versions', {
      schema: '"string"',
    });
    assert.equal(viaFollower.status, 200, viaFollower.text);
    const viaPrimary = await call(primary.url, 'POST', '/subjects/shared-value/versions', {
      schema: '"string"',
    });
    assert.deepEqual(viaPrimary.body, viaFollower.body);
    // the follower reads its own state (filled from the topic)
    let seen: unknown;
    for (let i = 0; i < 50; i++) {
      seen = (await call(follower.url, 'GET', '/subjects')).body;
      if (Array.isArray(seen) && seen.includes('shared-value')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(seen, ['shared-value']);
    const put = await call(follower.url, 'PUT', '/config/shared-value', { compatibility: 'NONE' });
    assert.deepEqual(put.body, { compatibility: 'NONE' });
    assert.deepEqual((await call(primary.url, 'GET', '/config/shared-value')).body, {
      compatibilityLevel: 'NONE',
    });

    // The primary leaves: the follower takes over and keeps numbering ids.
    await primary.stop();
    const after = await call(follower.url, 'POST', '/subjects/shared-value/versions', { schema: '"int"' });
    assert.equal(after.status, 200, after.text);
    assert.ok(follower.isLeader());
    assert.equal((after.body as { id: number }).id, (viaFollower.body as { id: number }).id + 1);
    assert.deepEqual((await call(follower.url, 'GET', '/subjects/shared-value/versions')).body, [1, 2]);
  } finally {
    await Promise.allSettled([first.stop(), second.stop()]);
    await broker.stop();
  }
});

test('an instance that may not lead forwards to the one that may', async () => {
  const broker = await startBroker();
  const eligible = await registryFor(broker);
  const follower = await registryFor(broker, { leaderEligible: false });
  try {
    const deadline = Date.now() + 20_000;
    while (follower.leaderUrl() === null || !eligible.isLeader()) {
      if (Date.now() > deadline) assert.fail('the follower never learned the primary');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(follower.leaderUrl(), eligible.url);
    assert.ok(eligible.isLeader());
    const r = await call(follower.url, 'POST', '/subjects/f-value/versions', { schema: '"boolean"' });
    assert.equal(r.status, 200);
  } finally {
    await Promise.allSettled([follower.stop(), eligible.stop()]);
    await broker.stop();
  }
});
