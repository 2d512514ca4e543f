/**
 * Keyed records go where Java's default partitioner puts them (murmur2 of the key bytes, made
 * positive, modulo the partition count): the function itself against the client library's murmur2,
 * and end to end — records produced by Samsa's producers (Connect, CLI, registry) share partitions
 * key by key with the same keys produced by librdkafka with `partitioner=murmur2_random`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { murmur2 as platformaticMurmur2 } from '@platformatic/kafka';
import fc from 'fast-check';
import { createAdmin, createProducer } from '../../src/client/clients.ts';
import { murmur2, murmur2Text, partitionForKey, partitionForTextKey } from '../../src/client/partitioner.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { run, runPython } from '../helpers/run.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
});

test('murmur2 and the partition of a key match Kafka', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (bytes, n) => {
      const b = Buffer.from(bytes);
      assert.equal(murmur2(b), platformaticMurmur2(b));
      assert.equal(partitionForKey(b, n), (platformaticMurmur2(b) & 0x7fffffff) % n);
    }),
  );
});

test('a key given as text or as a byte range hashes as its UTF-8 bytes', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 40, unit: 'grapheme' })),
      fc.integer({ min: 1, max: 64 }),
      fc.nat(8),
      (text, n, pad) => {
        const b = Buffer.from(text, 'utf8');
        assert.equal(murmur2Text(text), murmur2(b));
        assert.equal(partitionForTextKey(text, n), partitionForKey(b, n));
        const padded = Buffer.concat([Buffer.alloc(pad, 7), b, Buffer.alloc(pad, 9)]);
        assert.equal(murmur2(padded, pad, pad + b.length), murmur2(b));
      },
    ),
  );
});

test("Samsa's producers and librdkafka's murmur2_random put each key in the same partition", async () => {
  const topic = 'partitioned';
  const admin = createAdmin({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'partitioner-test' });
  await admin.createTopics({ topics: [topic], partitions: 6, replicas: 1 });
  await admin.close();
  const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
  // Half of these hash to a negative number: made unsigned instead of positive they would move.
  assert.ok(keys.filter((k) => murmur2(Buffer.from(k)) < 0).length > 50);

  const producer = createProducer({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'partitioner-test' });
  await producer.send({
    messages: keys.map((k) => ({ topic, key: Buffer.from(k), value: Buffer.from('samsa') })),
  });
  await producer.close();
  const python = await runPython(
    `
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'partitioner': 'murmur2_random'})
for i in range(200):
    p.produce(sys.argv[2], key=f'key-{i}', value=b'librdkafka')
assert p.flush(30) == 0
`,
    [broker.bootstrap, topic],
  );
  assert.equal(python.code, 0, python.stderr);

  const read = await run('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%p %k %s\n']);
  assert.equal(read.code, 0, read.stderr);
  const where = new Map<string, Map<string, number>>();
  for (const line of read.stdout.trim().split('\n')) {
    const [partition, key, value] = line.split(' ');
    if (!where.has(key!)) where.set(key!, new Map());
    where.get(key!)!.set(value!, Number(partition));
  }
  assert.equal(where.size, 200);
  for (const [key, byProducer] of where) {
    assert.equal(byProducer.get('samsa'), byProducer.get('librdkafka'), key);
    assert.equal(byProducer.get('samsa'), partitionForKey(Buffer.from(key), 6), key);
  }
});
