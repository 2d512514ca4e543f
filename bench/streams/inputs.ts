/**
 * The streams benchmarks' inputs, shared by throughput.ts and ab.ts: topic creation, a fast
 * pre-fill through @platformatic/kafka (2,000 records per send, 16 sends in flight), and the
 * stateless figure's 100-byte JSON value.
 */
import { type Admin, Producer } from '@platformatic/kafka';

export async function createTopic(
  admin: Admin,
  name: string,
  partitions: number,
  configs: { [k: string]: string } = {},
): Promise<void> {
  await admin.createTopics({
    topics: [name],
    partitions,
    replicas: 1,
    configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
  });
}

export async function fillTopic(
  bootstrap: string,
  name: string,
  n: number,
  make: (i: number) => { key: Buffer; value: Buffer; timestamp?: bigint; partition?: number },
): Promise<void> {
  const producer = new Producer({
    clientId: 'bench-fill',
    bootstrapBrokers: [bootstrap],
    acks: 1,
    autocreateTopics: false,
  });
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i += 2_000) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + 2_000); j++) messages.push({ topic: name, ...make(j) });
    inflight.push(producer.send({ messages }));
    if (inflight.length >= 16) await inflight.shift();
  }
  await Promise.all(inflight);
  await producer.close();
}

/** The stateless figure's input value: a 100-byte JSON object. */
export const statelessValue = (i: number): Buffer =>
  Buffer.from(
    JSON.stringify({ user: `user-${i % 10_000}`, page: `/p/${i % 97}`, ms: i, pad: 'x'.repeat(32) }).padEnd(
      100,
      ' ',
    ),
  );
