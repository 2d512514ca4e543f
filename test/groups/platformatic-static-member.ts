/**
 * Child process for static-membership.test.ts: a @platformatic/kafka consumer (JoinGroup v9+) with
 * group.instance.id = argv[3] in group argv[4] on topic argv[5], session timeout argv[6] ms; prints
 * each join as a JSON line.
 * The test SIGKILLs it, so it never sends LeaveGroup.
 */
import { Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';

const [bootstrap, instanceId, groupId, topic, sessionMs] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const consumer = new Consumer({
  clientId: instanceId,
  groupId,
  groupInstanceId: instanceId,
  bootstrapBrokers: [bootstrap],
  deserializers: stringDeserializers,
  sessionTimeout: Number(sessionMs),
  heartbeatInterval: 300,
  maxWaitTime: 200,
});
consumer.on('consumer:group:join', (p) => {
  const partitions = p.assignments?.find((a) => a.topic === topic)?.partitions ?? [];
  console.log(JSON.stringify({ ev: 'join', generation: p.generationId, leader: p.isLeader, partitions }));
});
consumer.on('consumer:heartbeat:error', (p) =>
  console.log(JSON.stringify({ ev: 'error', error: String(p.error) })),
);
const stream = await consumer.consume({
  topics: [topic],
  mode: MessagesStreamModes.COMMITTED,
  fallbackMode: 'earliest',
  autocommit: 100,
});
for await (const _ of stream) {
  // records are not the point here
}
