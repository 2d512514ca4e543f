// KafkaJS transactional producer: commit, abort, commit.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');
const [bootstrap, topic] = process.argv.slice(2);
const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
const producer = kafka.producer({
  transactionalId: `kjs-${topic}`,
  idempotent: true,
  maxInFlightRequests: 1,
});
await producer.connect();
for (const [prefix, commit] of [
  ['c1', true],
  ['a1', false],
  ['c2', true],
]) {
  const txn = await producer.transaction();
  await txn.send({
    topic,
    messages: Array.from({ length: 50 }, (_, i) => ({ value: `${prefix}-${i}`, partition: i % 2 })),
  });
  if (commit) await txn.commit();
  else await txn.abort();
}
await producer.disconnect();
console.log('ok');
