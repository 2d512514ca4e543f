/**
 * What a member joining costs a consumer group, KIP-848 against the classic protocol, in one run:
 * three @platformatic/kafka members consume a 12-partition topic while a producer writes about
 * 2,000 records/s; a fourth member joins. Printed per protocol: the time from the fourth member's
 * consume() to its first record, and the longest gap in the other members' record streams around
 * the join (with the longest gap before it, for the baseline of a steady stream).
 * Usage: node bench/kip848-join.ts [rounds=2]
 */
import {
  Consumer,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { startBroker } from '../src/testing/index.ts';

const rounds = Number(process.argv[2] ?? 2);
const broker = await startBroker({ groupConsumerHeartbeatIntervalMs: 500, groupInitialRebalanceDelayMs: 0 });
const producer = new Producer({
  clientId: 'join-bench',
  bootstrapBrokers: [broker.bootstrap],
  serializers: stringSerializers,
});
let stopProducing = false;
let n = 0;

async function produceSteadily(topic: string): Promise<void> {
  while (!stopProducing) {
    const messages = Array.from({ length: 20 }, () => ({ topic, key: `k${n}`, value: `v${n++}` }));
    await producer.send({ messages });
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function run(protocol: 'classic' | 'consumer', round: number) {
  const topic = `join-${protocol}-${round}`;
  await producer.send({ messages: [{ topic, value: 'warm' }] }).catch(() => {});
  const admin = (await import('@platformatic/kafka')).Admin;
  const a = new admin({ clientId: 'join-admin', bootstrapBrokers: [broker.bootstrap] });
  await a.deleteTopics({ topics: [topic] }).catch(() => {});
  await a.createTopics({ topics: [topic], partitions: 12, replicas: 1 });
  await a.close();
  stopProducing = false;
  const producing = produceSteadily(topic);
  const last = new Map<string, number>();
  const gapsBefore = new Map<string, number>();
  const gapsAfter = new Map<string, number>();
  let joinAt = 0;
  let firstOfNew = 0;
  const members = ['m1', 'm2', 'm3', 'm4'].map(
    (name) =>
      new Consumer({
        clientId: `${protocol}-${name}`,
        groupId: `join-${protocol}-${round}`,
        groupProtocol: protocol,
        bootstrapBrokers: [broker.bootstrap],
        deserializers: stringDeserializers,
        maxWaitTime: 50,
        heartbeatInterval: 500,
        sessionTimeout: 10_000,
        rebalanceTimeout: 10_000,
      }),
  );
  const consume = async (i: number) => {
    const name = `m${i + 1}`;
    const stream = await members[i]!.consume({
      topics: [topic],
      mode: MessagesStreamModes.LATEST,
      autocommit: 200,
    });
    void (async () => {
      for await (const _ of stream) {
        const now = performance.now();
        if (name === 'm4') {
          if (firstOfNew === 0) firstOfNew = now;
          continue;
        }
        const prev = last.get(name);
        if (prev !== undefined) {
          const gaps = joinAt === 0 ? gapsBefore : gapsAfter;
          gaps.set(name, Math.max(gaps.get(name) ?? 0, now - prev));
        }
        last.set(name, now);
      }
    })();
  };
  await Promise.all([0, 1, 2].map(consume));
  await new Promise((r) => setTimeout(r, 4000));
  joinAt = performance.now();
  await consume(3);
  while (firstOfNew === 0 && performance.now() - joinAt < 30_000) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 3000));
  stopProducing = true;
  await producing;
  await Promise.all(members.map((m) => m.close(true).catch(() => {})));
  const max = (m: Map<string, number>) => Math.max(...m.values());
  console.log(
    `${protocol.padEnd(8)} round ${round + 1}: joining member's first record after ${(firstOfNew - joinAt).toFixed(0)} ms; longest gap in the others' streams ${max(gapsAfter).toFixed(0)} ms around the join (${max(gapsBefore).toFixed(0)} ms before it)`,
  );
}

try {
  for (let round = 0; round < rounds; round++) {
    await run('classic', round);
    await run('consumer', round);
  }
} finally {
  stopProducing = true;
  await producer.close();
  await broker.stop();
}
