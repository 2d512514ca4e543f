/**
 * producer.id.expiration.ms end to end: an idempotent librdkafka producer (python3-confluent-kafka)
 * writes, goes idle past the expiration so the broker forgets its producer id, then writes again
 * with its next sequence numbers. The broker must drop the state while the producer is idle and
 * then accept it back at sequence 50 under the same producer id (KIP-360), with every record
 * written exactly once.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { iterateBatches } from '../../src/protocol/records/split.ts';
import { startBroker } from '../../src/testing/index.ts';
import { runPython } from '../helpers/run.ts';

const SCRIPT = `
import sys, time
from confluent_kafka import Producer, Consumer, TopicPartition
bootstrap, topic = sys.argv[1], sys.argv[2]
errors = []
def report(err, msg):
    if err is not None:
        errors.append(str(err))
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5})
for i in range(50):
    p.produce(topic, value=b'a%d' % i, partition=0, on_delivery=report)
p.flush(15)
print('idle', flush=True)
time.sleep(3.5)
for i in range(50):
    p.produce(topic, value=b'b%d' % i, partition=0, on_delivery=report)
p.flush(15)
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'check', 'enable.auto.commit': False})
c.assign([TopicPartition(topic, 0, 0)])
values = []
deadline = time.time() + 15
while len(values) < 100 and time.time() < deadline:
    m = c.poll(0.5)
    if m is not None and not m.error():
        values.append(m.value().decode())
c.close()
print('errors', len(errors), errors[:3])
print('values', ','.join(values))
`;

it('forgets an idle producer id and accepts the producer back at its next sequence', async () => {
  const broker = await startBroker({
    numPartitions: 1,
    producerIdExpirationMs: 1000,
    producerIdExpirationCheckIntervalMs: 100,
  });
  try {
    const topic = 'expiring-producers';
    const counts: number[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const log = broker.broker.services.logs.getPartition(topic, 0);
        if (log) counts.push(log.producers.producers.size);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const r = await runPython(SCRIPT, [broker.bootstrap, topic], 90_000);
    polling = false;
    await poll;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^errors 0 /m, r.stdout);
    const values = /^values (.*)$/m.exec(r.stdout)?.[1]?.split(',') ?? [];
    const expected = [
      ...Array.from({ length: 50 }, (_, i) => `a${i}`),
      ...Array.from({ length: 50 }, (_, i) => `b${i}`),
    ];
    assert.deepEqual(values, expected, 'every record once, in order');
    // Tracked for at least 1 s after the first writes, forgotten for at least 2.5 s of the idle time.
    const firstSeen = counts.indexOf(1);
    assert.ok(firstSeen >= 0, `the producer was tracked (${counts.join(' ')})`);
    assert.ok(
      counts.indexOf(0, firstSeen) > firstSeen,
      `the idle producer was forgotten (${counts.join(' ')})`,
    );
    // It came back with the same producer id at its next sequence, and the broker took it.
    const read = broker.broker.services.logs.getPartition(topic, 0)!.read(0, 1 << 20, { minOneBatch: true });
    assert.ok('records' in read && read.records);
    const batches = [...iterateBatches(read.records)].map((b) => b.header);
    assert.equal(new Set(batches.map((b) => b.producerId)).size, 1, 'one producer id throughout');
    const firstB = batches.find((b) => b.baseOffset >= 50)!;
    assert.equal(firstB.baseSequence, 50, 'the returning producer continued at sequence 50');
  } finally {
    await broker.stop();
  }
});
