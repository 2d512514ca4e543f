/**
 * The consumer group protocol (KIP-848) with a client nobody here wrote: @platformatic/kafka
 * consumers with `groupProtocol: 'consumer'` over a 12-partition topic while a producer writes.
 * Four members join one after another and two leave; every record is consumed, committed offsets
 * reach the end, and no partition is ever in two members' assignments at once (sampled from the
 * members' own assignment state every few milliseconds throughout). ListGroups shows the group
 * with type "consumer", DescribeGroups (samsa consumer-groups:info) its members, and the group
 * comes back from __consumer_offsets after a broker restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Admin, Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { json, samsa } from '../cli/run-cli.ts';
import { produce, waitFor } from './helpers.ts';

const RECORDS = 20_000;
const TOPIC = 'kip848-orders';
const GROUP = 'kip848-group';
let broker: TestBroker;
let admin: Admin;
const dataDir = mkdtempSync(join(tmpdir(), 'samsa-kip848-'));
const options = { dataDir, groupConsumerHeartbeatIntervalMs: 200, groupConsumerSessionTimeoutMs: 5000 };

before(async () => {
  broker = await startBroker(options);
  admin = new Admin({ clientId: 'kip848-admin', bootstrapBrokers: [broker.bootstrap] });
  await admin.createTopics({ topics: [TOPIC], partitions: 12, replicas: 1 });
});
after(async () => {
  await admin?.close();
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('4 consumer-protocol members join and leave while producing: all consumed, no partition owned twice', async () => {
  const seen = new Set<number>();
  const members = ['c1', 'c2', 'c3', 'c4'].map((name) => ({
    name,
    consumer: new Consumer({
      clientId: `kip848-${name}`,
      groupId: GROUP,
      groupProtocol: 'consumer',
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
      maxWaitTime: 100,
    }),
    done: Promise.resolve(),
    closed: false,
  }));
  const partitionsOf = (m: (typeof members)[number]): number[] =>
    m.closed ? [] : (m.consumer.assignments?.find((a) => a.topic === TOPIC)?.partitions ?? []);
  const overlaps: string[] = [];
  const sampler = setInterval(() => {
    const owner = new Map<number, string>();
    for (const m of members)
      for (const p of partitionsOf(m)) {
        const other = owner.get(p);
        if (other !== undefined) overlaps.push(`partition ${p}: ${other} and ${m.name}`);
        owner.set(p, m.name);
      }
  }, 5);
  const start = async (m: (typeof members)[number]) => {
    const stream = await m.consumer.consume({
      topics: [TOPIC],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: 'earliest',
      autocommit: 100,
    });
    m.done = (async () => {
      for await (const msg of stream) seen.add(Number(String(msg.value).slice(2)));
    })();
  };
  const stop = async (m: (typeof members)[number]) => {
    await m.consumer.close(true);
    m.closed = true;
  };
  try {
    await produce(broker.bootstrap, TOPIC, 0, RECORDS / 4);
    await start(members[0]!);
    await waitFor(() => partitionsOf(members[0]!).length === 12, 20_000, 'c1 to own all 12 partitions');
    await start(members[1]!);
    const producing = produce(broker.bootstrap, TOPIC, RECORDS / 4, RECORDS / 2);
    await start(members[2]!);
    await start(members[3]!);
    await waitFor(
      () => members.every((m) => partitionsOf(m).length === 3),
      20_000,
      'four members with 3 partitions each',
    );
    await producing;
    await stop(members[0]!);
    await produce(broker.bootstrap, TOPIC, RECORDS / 2, (3 * RECORDS) / 4);
    await waitFor(
      () => members.slice(1).every((m) => partitionsOf(m).length === 4),
      20_000,
      'three members with 4 partitions each after c1 left',
    );
    await stop(members[1]!);
    await produce(broker.bootstrap, TOPIC, (3 * RECORDS) / 4, RECORDS);
    await waitFor(() => seen.size >= RECORDS, 30_000, `all ${RECORDS} records (have ${seen.size})`);
    assert.deepEqual(overlaps.slice(0, 5), [], 'no partition in two assignments at once');
    await waitFor(
      async () => {
        const [g] = await admin.listConsumerGroupOffsets({ groups: [GROUP] });
        let total = 0n;
        for (const t of g?.topics ?? []) for (const p of t.partitions) total += p.committedOffset;
        return total === BigInt(RECORDS);
      },
      20_000,
      'committed offsets to reach the end of every partition',
    );

    const groups = await admin.listGroups({ types: ['consumer'] });
    const listed = [...groups.values()].find((g) => g.id === GROUP);
    assert.ok(listed, `ListGroups(types=consumer) shows the group: ${JSON.stringify([...groups.keys()])}`);
    assert.equal((await admin.listGroups({ types: ['classic'] })).has(GROUP), false);

    // DescribeGroups (and so the CLI) shows the two remaining members and their partitions.
    const info = await samsa(['consumer-groups:info', GROUP, '--json', '-b', broker.bootstrap]);
    assert.equal(info.code, 0, info.stderr);
    const described = json<{ state: string; members: { assignments: unknown[] }[]; totalLag: number }>(info);
    assert.equal(described.members.length, 2, info.stdout);
    assert.equal(described.totalLag, 0);
    await assert.rejects(admin.deleteGroups({ groups: [GROUP] }), /NON_EMPTY_GROUP|non-empty|not empty/i);
    for (const m of members.slice(2)) await stop(m);
    await waitFor(
      async () => (await admin.listGroups({ types: ['consumer'] })).get(GROUP)?.state === 'Empty',
      10_000,
      'the group to be empty',
    );
  } finally {
    clearInterval(sampler);
    for (const m of members) if (!m.closed) await m.consumer.close(true).catch(() => {});
  }
});

it('an empty group moves between the protocols, keeping its committed offsets', async () => {
  // The group of the test above is empty now: a classic consumer takes it over and starts from
  // the committed offsets (nothing left to read), then a consumer-protocol one takes it back.
  await produce(broker.bootstrap, TOPIC, RECORDS, RECORDS + 100);
  for (const protocol of ['classic', 'consumer'] as const) {
    const seen: number[] = [];
    const consumer = new Consumer({
      clientId: `kip848-${protocol}`,
      groupId: GROUP,
      groupProtocol: protocol,
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
      maxWaitTime: 100,
      heartbeatInterval: 300,
      sessionTimeout: 6000,
    });
    try {
      const stream = await consumer.consume({
        topics: [TOPIC],
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: 'earliest',
        autocommit: 100,
      });
      const done = (async () => {
        for await (const msg of stream) seen.push(Number(String(msg.value).slice(2)));
      })();
      if (protocol === 'classic') {
        await waitFor(() => seen.length >= 100, 20_000, 'the classic consumer to read the 100 new records');
        assert.ok(Math.min(...seen) >= RECORDS, 'started from the committed offsets');
      } else {
        await produce(broker.bootstrap, TOPIC, RECORDS + 100, RECORDS + 200);
        await waitFor(() => seen.length >= 100, 20_000, 'the consumer-protocol member to read 100 more');
        assert.ok(Math.min(...seen) >= RECORDS + 100, "started from the classic group's commits");
      }
      await new Promise((r) => setTimeout(r, 300)); // one more autocommit
      await consumer.close(true);
      await done.catch(() => {});
    } finally {
      await consumer.close(true).catch(() => {});
    }
  }
});

it('keeps the group (epochs, assignor) across a broker restart', async () => {
  const before = broker.broker.services.consumerGroups.describe(GROUP);
  assert.ok(before, 'the group exists');
  await admin.close();
  await broker.stop();
  broker = await startBroker(options);
  admin = new Admin({ clientId: 'kip848-admin', bootstrapBrokers: [broker.bootstrap] });
  const after = broker.broker.services.consumerGroups.describe(GROUP);
  assert.deepEqual(
    { epoch: after?.groupEpoch, assignment: after?.assignmentEpoch, state: after?.groupState },
    { epoch: before.groupEpoch, assignment: before.assignmentEpoch, state: before.groupState },
  );
  assert.equal((await admin.listGroups({ types: ['consumer'] })).get(GROUP)?.state, 'Empty');
});
