/**
 * producer.id.expiration.ms end to end: an idempotent librdkafka producer (python3-confluent-kafka)
 * writes, goes idle past the expiration so the broker forgets its producer id, then writes again
 * with its next sequence numbers. The broker must drop the state while the producer is idle and
 * then accept it back (KIP-360), with every record written exactly once.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
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
time.sleep(2.0)
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
    producerIdExpirationMs: 500,
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
    const firstSeen = counts.indexOf(1);
    assert.ok(firstSeen >= 0, 'the producer was tracked');
    const forgotten = counts.indexOf(0, firstSeen);
    assert.ok(forgotten > firstSeen, `the idle producer was forgotten (${counts.join(' ')})`);
    assert.ok(
      counts.slice(forgotten).includes(1),
      `and tracked again when it came back (${counts.join(' ')})`,
    );
  } finally {
    await broker.stop();
  }
});
