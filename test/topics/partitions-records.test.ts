/**
 * Issue 4, done-when #4: CreatePartitions grows a topic and producers then write to the new
 * partitions; DeleteRecords moves the low watermark. Also OffsetForLeaderEpoch (clients validate
 * positions with it) and DescribeLogDirs. kafka-python and confluent-kafka drive CreatePartitions;
 * the Debian Python clients have no delete_records, so DeleteRecords goes over the raw wire client.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { runPython } from '../helpers/run.ts';
import {
  createPartitions,
  createTopics,
  deleteRecords,
  describeLogDirs,
  offsetForLeaderEpoch,
  WireClient,
} from './admin-wire.ts';

/** Produces n keyed records (default partitioner), then reads every partition from the beginning. */
const PRODUCE_CONSUME = `
import sys, json, time
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
bs, topic, n, expected = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
p = Producer({'bootstrap.servers': bs, 'linger.ms': 0})
errors = []
for i in range(n):
    p.produce(topic, key='key-%d' % i, value='v%d' % i,
              on_delivery=lambda err, m: err and errors.append(str(err)))
p.flush(30)
c = Consumer({'bootstrap.servers': bs, 'group.id': 'g-' + topic, 'enable.auto.commit': False})
parts = len(c.list_topics(topic, timeout=10).topics[topic].partitions)
c.assign([TopicPartition(topic, q, OFFSET_BEGINNING) for q in range(parts)])
seen = []
deadline = time.time() + 30
while len(seen) < expected and time.time() < deadline:
    m = c.poll(0.5)
    if m is None or m.error():
        continue
    seen.append([m.partition(), m.offset(), m.value().decode()])
c.close()
print(json.dumps({'errors': errors, 'partitions': parts, 'seen': seen}))
`;

const KAFKA_PYTHON_GROW = `
import sys
from kafka.admin import KafkaAdminClient, NewPartitions
a = KafkaAdminClient(bootstrap_servers=sys.argv[1])
r = a.create_partitions({sys.argv[2]: NewPartitions(int(sys.argv[3]))})
assert r.topic_errors[0][1] == 0, r
`;

let broker: TestBroker;
let c: WireClient;
before(async () => {
  broker = await startBroker();
  c = await WireClient.open(broker.port);
  for (const [name, configs] of [
    ['grow', []],
    ['trim', []],
    ['compacted', [{ name: 'cleanup.policy', value: 'compact' }]],
  ] as const) {
    const res = await createTopics(c, 7, {
      topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [...configs] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(res.topics[0]!.errorCode, 0);
  }
});
after(async () => {
  c?.close();
  await broker?.stop();
});

async function produceAndConsume(topic: string, n: number, expected: number) {
  const r = await runPython(PRODUCE_CONSUME, [broker.bootstrap, topic, String(n), String(expected)]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { errors: string[]; partitions: number; seen: [number, number, string][] };
}

async function grow(
  topic: string,
  count: number,
  validateOnly = false,
  assignments: number[][] | null = null,
) {
  const res = await createPartitions(c, 3, {
    topics: [{ name: topic, count, assignments: assignments?.map((brokerIds) => ({ brokerIds })) ?? null }],
    timeoutMs: 5000,
    validateOnly,
  });
  const r = res.results[0]!;
  return [r.errorCode, r.errorMessage] as const;
}

test('CreatePartitions grows a topic (kafka-python, then the wire with assignments) and a producer writes to the new partitions', async () => {
  const first = await produceAndConsume('grow', 10, 10);
  assert.deepEqual(first.errors, []);
  assert.equal(first.partitions, 1);

  const py = await runPython(KAFKA_PYTHON_GROW, [broker.bootstrap, 'grow', '2']);
  assert.equal(py.code, 0, py.stderr);
  assert.deepEqual(await grow('grow', 4, true, [[1], [1]]), [0, null]);
  assert.equal(broker.broker.services.topics.get('grow')!.partitionCount, 2, 'validateOnly grew the topic');
  assert.deepEqual(await grow('grow', 4, false, [[1], [1]]), [0, null]);

  const after = await produceAndConsume('grow', 60, 70);
  assert.deepEqual(after.errors, []);
  assert.equal(after.partitions, 4);
  assert.equal(after.seen.length, 70);
  const used = new Set(after.seen.map(([p]) => p));
  for (const p of [1, 2, 3]) assert.ok(used.has(p), `no record in new partition ${p}: ${[...used]}`);
});

test('CreatePartitions refuses shrinking, no-ops, bad assignments, internal and unknown topics', async () => {
  assert.deepEqual(await grow('grow', 3), [
    ErrorCode.INVALID_PARTITIONS,
    'Topic currently has 4 partitions, which is higher than the requested 3.',
  ]);
  assert.deepEqual(await grow('grow', 4), [ErrorCode.INVALID_PARTITIONS, 'Topic already has 4 partitions.']);
  assert.deepEqual(await grow('grow', 6, false, [[1]]), [
    ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    'Increasing the number of partitions by 2 but 1 assignments provided.',
  ]);
  assert.deepEqual(await grow('grow', 5, false, [[7]]), [
    ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    'The manual partition assignment includes broker 7, but no such broker is registered.',
  ]);
  assert.equal((await grow('__consumer_offsets', 5))[0], ErrorCode.INVALID_REQUEST);
  assert.deepEqual(await grow('nope', 5), [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    "The topic 'nope' does not exist.",
  ]);
  assert.equal(broker.broker.services.topics.get('grow')!.partitionCount, 4);
});

async function trim(topic: string, offset: bigint, partitionIndex = 0) {
  const res = await deleteRecords(c, 2, {
    topics: [{ name: topic, partitions: [{ partitionIndex, offset }] }],
    timeoutMs: 5000,
  });
  const p = res.topics[0]!.partitions[0]!;
  return [p.errorCode, p.lowWatermark] as const;
}

test('DeleteRecords moves the low watermark; consumers from the beginning start there', async () => {
  const first = await produceAndConsume('trim', 10, 10);
  assert.deepEqual(first.errors, []);
  assert.deepEqual(await trim('trim', 4n), [0, 4n]);
  assert.equal(broker.broker.services.topics.partition('trim', 0)!.logStartOffset, 4);
  assert.deepEqual(await trim('trim', 2n), [0, 4n], 'an offset below the start changes nothing');
  assert.deepEqual(await trim('trim', 11n), [ErrorCode.OFFSET_OUT_OF_RANGE, -1n]);
  const again = await produceAndConsume('trim', 0, 6);
  assert.deepEqual(
    again.seen.map(([, offset]) => offset),
    [4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(await trim('trim', -1n), [0, 10n], '-1 deletes up to the high watermark');
  assert.deepEqual(await trim('trim', 0n, 5), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]);
  assert.deepEqual(await trim('compacted', 0n), [ErrorCode.POLICY_VIOLATION, -1n]);
});

test('OffsetForLeaderEpoch answers the log end offset for epoch 0', async () => {
  const ask = async (v: number, partition: number, leaderEpoch: number, currentLeaderEpoch = -1) => {
    const res = await offsetForLeaderEpoch(c, v, {
      replicaId: -1,
      topics: [{ topic: 'trim', partitions: [{ partition, currentLeaderEpoch, leaderEpoch }] }],
    });
    const p = res.topics[0]!.partitions[0]!;
    return [p.errorCode, p.leaderEpoch, p.endOffset] as const;
  };
  assert.deepEqual(await ask(4, 0, 0), [0, 0, 10n]);
  assert.deepEqual(await ask(2, 0, 0, 0), [0, 0, 10n]);
  assert.deepEqual(await ask(0, 0, 0), [0, -1, 10n], 'v0 has no leader epoch in the response');
  assert.deepEqual(await ask(4, 0, 3), [0, -1, -1n], 'an unknown later epoch is undefined, not an error');
  assert.deepEqual(await ask(4, 0, 0, 2), [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1n]);
  assert.deepEqual(await ask(4, 9, 0), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1n]);
});

test('DescribeLogDirs reports the data dir with per-partition sizes', async () => {
  const all = await describeLogDirs(c, 4, { topics: null });
  assert.equal(all.results.length, 1);
  const dir = all.results[0]!;
  assert.equal(dir.logDir, broker.dataDir);
  assert.ok(dir.totalBytes > 0n && dir.usableBytes > 0n);
  const grow = dir.topics.find((t) => t.name === 'grow')!;
  assert.deepEqual(
    grow.partitions.map((p) => p.partitionIndex),
    [0, 1, 2, 3],
  );
  const size = grow.partitions.reduce((s, p) => s + p.partitionSize, 0n);
  assert.ok(size > 70n * 10n, `70 records take more than ${size} bytes`);
  const some = await describeLogDirs(c, 1, {
    topics: [
      { topic: 'compacted', partitions: [0, 7] },
      { topic: 'missing', partitions: [0] },
    ],
  });
  assert.deepEqual(
    some.results[0]!.topics.map((t) => [
      t.name,
      t.partitions.map((p) => [p.partitionIndex, p.partitionSize]),
    ]),
    [['compacted', [[0, 0n]]]],
  );
});
