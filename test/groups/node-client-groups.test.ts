/**
 * Issue 3, done-when 4: a KafkaJS consumer group of 3 members and a @platformatic/kafka consumer
 * group of 3 members each consume 100,000 records from a 6-partition topic with none lost. Two
 * members start; the third joins mid-stream (after part of the records were consumed and before
 * the rest are produced) and must be given partitions and consume some of them. Offsets are
 * committed by the clients, so when all is read the group's lag is zero.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Admin, Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { produce, waitFor } from './helpers.ts';

const RECORDS = 100_000;
const HALF = RECORDS / 2;
let broker: TestBroker;

before(async () => {
  broker = await startBroker({
    numPartitions: 6,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
  });
});
after(async () => {
  await broker?.stop();
});

/** Records every value each member sees; `missing()` lists values 0..RECORDS-1 nobody saw. */
class Tally {
  readonly perMember = new Map<string, number>();
  readonly values = new Set<number>();
  total = 0;

  add(member: string, value: string): void {
    this.values.add(Number(value.slice(2)));
    this.perMember.set(member, (this.perMember.get(member) ?? 0) + 1);
    this.total++;
  }

  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < RECORDS; i++) if (!this.values.has(i)) out.push(i);
    return out;
  }
}

/** Committed offset and log end per partition, via the Kafka protocol. */
async function lagOf(group: string, topic: string): Promise<bigint[]> {
  const admin = new Admin({ clientId: 'lag-admin', bootstrapBrokers: [broker.bootstrap] });
  try {
    const [g] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const committed = new Map<number, bigint>();
    for (const t of g?.topics ?? [])
      for (const p of t.partitions) committed.set(p.partitionIndex, p.committedOffset);
    const [ends] = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: [0, 1, 2, 3, 4, 5].map((partitionIndex) => ({ partitionIndex, timestamp: -1n })),
        },
      ],
    });
    return (ends?.partitions ?? []).map((p) => p.offset - (committed.get(p.partitionIndex) ?? 0n));
  } finally {
    await admin.close();
  }
}

it(`a KafkaJS group of 3 consumes ${RECORDS} records, the third member joining mid-stream`, async () => {
  const topic = 'kafkajs-groups';
  const group = 'kafkajs-group';
  await produce(broker.bootstrap, topic, 0, HALF);
  const kafka = new Kafka({
    clientId: 'kafkajs-groups',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const tally = new Tally();
  const assigned = new Map<string, number[]>();
  const consumers = ['m1', 'm2', 'm3'].map((name) => {
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: 6000,
      heartbeatInterval: 300,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 200,
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      assigned.set(name, e.payload.memberAssignment[topic] ?? []);
    });
    return { name, consumer };
  });
  const start = async ({ name, consumer }: (typeof consumers)[number]) => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch, heartbeat }) => {
        for (const m of batch.messages) tally.add(name, String(m.value));
        await heartbeat();
      },
    });
  };
  try {
    await Promise.all(consumers.slice(0, 2).map(start));
    await waitFor(
      () => tally.total >= HALF / 2,
      30_000,
      `first members to consume ${HALF / 2} (have ${tally.total})`,
    );
    await start(consumers[2]!);
    await waitFor(
      () => (assigned.get('m3')?.length ?? 0) > 0,
      20_000,
      'the member joining mid-stream to get partitions',
    );
    await produce(broker.bootstrap, topic, HALF, RECORDS);
    await waitFor(
      () => tally.values.size >= RECORDS,
      60_000,
      `all records (have ${tally.values.size} distinct)`,
    );
    assert.deepEqual(tally.missing(), []);

    const final = [...assigned.values()].flat().sort();
    assert.deepEqual(
      final,
      [0, 1, 2, 3, 4, 5],
      `the three members share the partitions: ${JSON.stringify([...assigned])}`,
    );
    assert.ok((tally.perMember.get('m3') ?? 0) > 0, 'the late member consumed records');
    await waitFor(
      async () => (await lagOf(group, topic)).every((l) => l === 0n),
      20_000,
      'commits to reach the log end (lag 0)',
    );
  } finally {
    await Promise.allSettled(consumers.map(({ consumer }) => consumer.disconnect()));
  }
});

it(`a @platformatic/kafka group of 3 consumes ${RECORDS} records, the third member joining mid-stream`, async () => {
  const topic = 'platformatic-groups';
  const group = 'platformatic-group';
  await produce(broker.bootstrap, topic, 0, HALF);
  const tally = new Tally();
  const members = ['p1', 'p2', 'p3'].map((name) => ({
    name,
    consumer: new Consumer({
      clientId: `platformatic-${name}`,
      groupId: group,
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
      sessionTimeout: 6000,
      heartbeatInterval: 300,
      rebalanceTimeout: 10_000,
      maxWaitTime: 200,
    }),
    done: Promise.resolve(),
  }));
  const start = async (m: (typeof members)[number]) => {
    const stream = await m.consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: 'earliest',
      autocommit: 200,
    });
    m.done = (async () => {
      for await (const msg of stream) tally.add(m.name, String(msg.value));
    })();
  };
  const partitionsOf = (m: (typeof members)[number]) =>
    m.consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [];
  try {
    await Promise.all(members.slice(0, 2).map(start));
    await waitFor(
      () => tally.total >= HALF / 2,
      30_000,
      `first members to consume ${HALF / 2} (have ${tally.total})`,
    );
    await start(members[2]!);
    await waitFor(
      () => partitionsOf(members[2]!).length > 0,
      20_000,
      'the member joining mid-stream to get partitions',
    );
    await produce(broker.bootstrap, topic, HALF, RECORDS);
    await waitFor(
      () => tally.values.size >= RECORDS,
      60_000,
      `all records (have ${tally.values.size} distinct)`,
    );
    assert.deepEqual(tally.missing(), []);

    const final = members.flatMap(partitionsOf).sort();
    assert.deepEqual(final, [0, 1, 2, 3, 4, 5], 'the three members share the partitions');
    assert.ok((tally.perMember.get('p3') ?? 0) > 0, 'the late member consumed records');
    await waitFor(
      async () => (await lagOf(group, topic)).every((l) => l === 0n),
      20_000,
      'commits to reach the log end (lag 0)',
    );
  } finally {
    await Promise.allSettled(members.map((m) => m.consumer.close(true)));
  }
});
