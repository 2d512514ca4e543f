/**
 * Child process for kip848.test.ts: a @platformatic/kafka consumer-protocol (KIP-848) member of
 * group argv[3] on topic argv[4] with client id argv[5]. Prints JSON lines: `{"a":[...]}` whenever
 * its assignment changes (checked every 5 ms) and `{"s":N}` for each record it consumed, written
 * (synchronously: stdout is a pipe) before autocommit can commit it. The test SIGKILLs it, so it
 * never leaves the group.
 */
import { Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';

const [bootstrap, groupId, topic, clientId] = process.argv.slice(2) as [string, string, string, string];
const consumer = new Consumer({
  clientId,
  groupId,
  groupProtocol: 'consumer',
  bootstrapBrokers: [bootstrap],
  deserializers: stringDeserializers,
  maxWaitTime: 100,
});
let last = '';
setInterval(() => {
  const partitions = consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [];
  const now = JSON.stringify([...partitions].sort((a, b) => a - b));
  if (now !== last) {
    last = now;
    process.stdout.write(`{"a":${now}}\n`);
  }
}, 5);
const stream = await consumer.consume({
  topics: [topic],
  mode: MessagesStreamModes.COMMITTED,
  fallbackMode: 'earliest',
  autocommit: 100,
});
for await (const msg of stream) process.stdout.write(`{"s":${Number(String(msg.value).slice(2))}}\n`);
