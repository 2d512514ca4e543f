/**
 * Quota enforcement seen from librdkafka (python3-confluent-kafka): a producer with a 1 MB/s
 * producer_byte_rate set through AlterClientQuotas achieves about 1 MB/s once past its first
 * burst (Kafka lets a new client use the quota of all the windows first: quota.window.num is 3 here
 * to keep that burst and the test short), while a producer with
 * another client id on the same broker at the same time keeps well above it; the throttle time
 * the broker returns shows in librdkafka's statistics. A consumer with a consumer_byte_rate gets
 * throttled Fetch answers and still reads everything.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { startBroker, type TestBroker } from '../../../src/testing/index.ts';
import { PYTHON, run, runPython } from '../../helpers/run.ts';

let broker: TestBroker;
let admin: Admin;
const QUOTA = 1_000_000;
const SECONDS = 7;
/** Short windows keep the first burst (quota × the windows' span) and the test short. */
const WINDOWS = 3;

before(async () => {
  broker = await startBroker({ quotaWindowNum: WINDOWS });
  admin = new Admin({ clientId: 'quota-admin', bootstrapBrokers: [broker.bootstrap] });
  await admin.createTopics({ topics: ['limited', 'free'], partitions: 1, replicas: 1 });
  const results = await admin.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'client-id', entityName: 'slow-producer' }],
        ops: [{ key: 'producer_byte_rate', value: QUOTA, remove: false }],
      },
    ],
  });
  assert.deepEqual(
    results.map((r) => r.errorCode),
    [0],
  );
});
after(async () => {
  await admin?.close();
  await broker?.stop();
});

interface ProduceRun {
  acked: [number, number][];
  errors: number;
  throttle_max_ms: number;
}

function produce(clientId: string, topic: string, seconds: number, maxBytes = 1e9): Promise<ProduceRun> {
  const script = join(import.meta.dirname, 'produce_rate.py');
  const args = [script, broker.bootstrap, topic, clientId, String(seconds), String(maxBytes)];
  return run(PYTHON, args, { timeoutMs: 90_000 }).then((r) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as ProduceRun;
  });
}

/** Bytes per second acknowledged between two moments of a run. */
function rateBetween(run: ProduceRun, from: number, to: number): number {
  const at = (t: number): number => {
    let bytes = 0;
    for (const [when, total] of run.acked) if (when <= t) bytes = total;
    return bytes;
  };
  return (at(to) - at(from)) / (to - from);
}

it('slows a producer to its quota while another client on the broker keeps its throughput', async (t) => {
  const [limited, free] = await Promise.all([
    produce('slow-producer', 'limited', SECONDS),
    produce('fast-producer', 'free', 4, 30_000_000),
  ]);
  assert.equal(limited.errors, 0);
  assert.equal(free.errors, 0);
  // The first burst may use the quota of every window (here up to ~2 MB); measure after it.
  const steady = rateBetween(limited, WINDOWS - 1, SECONDS);
  assert.ok(
    steady > 0.6 * QUOTA && steady < 1.5 * QUOTA,
    `throttled producer at ${Math.round(steady)} B/s over ${SECONDS - WINDOWS + 1} s, quota ${QUOTA}`,
  );
  assert.ok(limited.throttle_max_ms > 0, 'librdkafka saw throttle time in its statistics');
  const freeRate = free.acked.at(-1)![1] / free.acked.at(-1)![0];
  assert.ok(freeRate > 3 * QUOTA, `unthrottled producer at ${Math.round(freeRate)} B/s`);
  assert.equal(free.throttle_max_ms, 0, 'the other client was never throttled');
  t.diagnostic(
    `throttled ${Math.round(steady)} B/s (quota ${QUOTA}), unthrottled ${Math.round(freeRate)} B/s, librdkafka throttle.max ${limited.throttle_max_ms} ms`,
  );
});

const CONSUME = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
state = {"throttle": 0}
def on_stats(text):
    for b in json.loads(text).get("brokers", {}).values():
        state["throttle"] = max(state["throttle"], b.get("throttle", {}).get("max", 0))
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "quota-test", "client.id": "slow-consumer",
              "enable.partition.eof": True, "auto.offset.reset": "earliest", "statistics.interval.ms": 300,
              "stats_cb": on_stats})
c.assign([TopicPartition("limited", 0, int(sys.argv[2]))])
count = 0
while True:
    m = c.poll(10)
    if m is None:
        break
    if m.error():
        if m.error().code() == -191:  # end of partition
            break
        raise SystemExit(str(m.error()))
    count += 1
c.poll(0.5)
c.close()
print(json.dumps({"count": count, "throttle_max_ms": state["throttle"]}))
`;

it('throttles a consumer over its consumer_byte_rate, which still reads every record', async () => {
  await admin.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'client-id', entityName: 'slow-consumer' }],
        ops: [{ key: 'consumer_byte_rate', value: QUOTA, remove: false }],
      },
    ],
  });
  const offsets = await admin.listOffsets({
    topics: [{ name: 'limited', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  const end = Number(offsets[0]!.partitions[0]!.offset);
  // 300 records of 10 kB: past the first burst (2 MB), little enough to read in a few seconds.
  const from = end - 300;
  assert.ok(from > 0, `records to read: ${end}`);
  const r = await runPython(CONSUME, [broker.bootstrap, String(from)], 60_000);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { count: number; throttle_max_ms: number };
  assert.equal(out.count, 300, 'every record read');
  assert.ok(out.throttle_max_ms > 0, 'the consumer was throttled');
});
