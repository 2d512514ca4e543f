/**
 * The consumer group protocol (KIP-848) with a client nobody here wrote: @platformatic/kafka
 * consumers with `groupProtocol: 'consumer'` over a 12-partition topic while a producer writes.
 * Four members join one after another and two leave; every record is consumed, committed offsets
 * reach the end, and no partition is ever in two members' assignments at once (sampled from the
 * members' own assignment state every few milliseconds throughout). ListGroups shows the group
 * with type "consumer", DescribeGroups (samsa consumer-groups:info) its members, and the group
 * comes back from __consumer_offsets after a broker restart. A member that crashes (a child process
 * SIGKILLed: no leave, no more heartbeats) loses its partitions to the survivors once its session
 * times out, and the group still consumes and commits everything.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, it } from 'node:test';
import { Admin, Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { json, samsaInProcess } from '../cli/run-cli.ts';
import { produce, waitFor } from './helpers.ts';

const RECORDS = 20_000;
const TOPIC = 'kip848-orders';
const GROUP = 'kip848-group';
let broker: TestBroker;
let admin: Admin;
const dataDir = mkdtempSync(join(tmpdir(), 'samsa-kip848-'));
/** Short, so the crash test sees its member removed within seconds. */
const SESSION_TIMEOUT_MS = 3000;
const options = {
  dataDir,
  groupConsumerHeartbeatIntervalMs: 200,
  groupConsumerSessionTimeoutMs: SESSION_TIMEOUT_MS,
};

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
    const info = await samsaInProcess(['consumer-groups:info', GROUP, '--json', '-b', broker.bootstrap]);
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

it('a crashed member (SIGKILL, no leave) loses its partitions to the survivors after the session timeout', async () => {
  const topic = 'kip848-crash';
  const group = 'kip848-crash-group';
  const total = 6000;
  await admin.createTopics({ topics: [topic], partitions: 6, replicas: 1 });
  await produce(broker.bootstrap, topic, 0, total / 2);
  const seen = new Set<number>();
  const survivors = ['s1', 's2'].map((name) => ({
    name,
    consumer: new Consumer({
      clientId: `kip848-${name}`,
      groupId: group,
      groupProtocol: 'consumer',
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
      maxWaitTime: 100,
    }),
  }));
  const partitionsOf = (c: Consumer<string, string, string, string>): number[] =>
    c.assignments?.find((a) => a.topic === topic)?.partitions ?? [];
  // The member that crashes runs in its own process and reports its assignment and records.
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'kip848-member.ts'), broker.bootstrap, group, topic, 'kip848-crasher'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let crasher: number[] = [];
  let crasherAlive = true;
  let crasherRecords = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const ev = JSON.parse(line) as { a?: number[]; s?: number };
    if (ev.a) crasher = ev.a;
    if (ev.s !== undefined) {
      seen.add(ev.s);
      crasherRecords++;
    }
  });
  const overlaps: string[] = [];
  const sampler = setInterval(() => {
    const owner = new Map<number, string>();
    const live = survivors.map((m) => ({ name: m.name, partitions: partitionsOf(m.consumer) }));
    if (crasherAlive) live.push({ name: 'crasher', partitions: crasher });
    for (const m of live)
      for (const p of m.partitions) {
        const other = owner.get(p);
        if (other !== undefined) overlaps.push(`partition ${p}: ${other} and ${m.name}`);
        owner.set(p, m.name);
      }
  }, 5);
  try {
    await waitFor(() => crasher.length === 6, 20_000, 'the crasher to own all 6 partitions');
    for (const m of survivors) {
      const stream = await m.consumer.consume({
        topics: [topic],
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: 'earliest',
        autocommit: 100,
      });
      void (async () => {
        for await (const msg of stream) seen.add(Number(String(msg.value).slice(2)));
      })().catch(() => {});
    }
    await waitFor(
      () => crasher.length === 2 && survivors.every((m) => partitionsOf(m.consumer).length === 2),
      20_000,
      'three members with 2 partitions each',
    );
    await waitFor(() => crasherRecords > 0, 20_000, 'the crasher to consume some records');
    const owned = [...crasher];
    child.kill('SIGKILL');
    const killedAt = Date.now();
    crasherAlive = false;
    await produce(broker.bootstrap, topic, total / 2, total);
    await waitFor(
      () => survivors.every((m) => partitionsOf(m.consumer).length === 3),
      20_000,
      "the survivors to take over the crashed member's partitions",
    );
    const elapsed = Date.now() - killedAt;
    const taken = survivors.flatMap((m) => partitionsOf(m.consumer));
    for (const p of owned) assert.ok(taken.includes(p), `partition ${p} reassigned to a survivor`);
    // Not before its session ran out: the broker waits for heartbeats, not for the socket to close.
    assert.ok(elapsed >= SESSION_TIMEOUT_MS - 500, `reassigned ${elapsed} ms after the kill`);
    await waitFor(() => seen.size >= total, 20_000, `all ${total} records (have ${seen.size})`);
    assert.deepEqual(overlaps.slice(0, 5), [], 'no partition in two live assignments at once');
    await waitFor(
      async () => {
        const [g] = await admin.listConsumerGroupOffsets({ groups: [group] });
        let sum = 0n;
        for (const t of g?.topics ?? []) for (const p of t.partitions) sum += p.committedOffset;
        return sum === BigInt(total);
      },
      20_000,
      'committed offsets to reach the end of every partition',
    );
  } finally {
    clearInterval(sampler);
    child.kill('SIGKILL');
    for (const m of survivors) await m.consumer.close(true).catch(() => {});
  }
});
