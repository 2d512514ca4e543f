/**
 * What the streams examples need besides `samsa/streams`: where Kafka is (KAFKA_URL, default
 * 127.0.0.1:9092 as started by `npx samsa start`), creating their topics, writing sample records
 * and printing an output topic as it fills. Plain @platformatic/kafka.
 */
import { Admin, Consumer, Producer, stringDeserializers } from '@platformatic/kafka';

export const BOOTSTRAP = (process.env.KAFKA_URL ?? '127.0.0.1:9092').replace(/^kafka:\/\//, '');
/** `--exit-when-done`: stop once the expected output was printed (used by the tests). */
export const EXIT_WHEN_DONE = process.argv.includes('--exit-when-done');

export async function ensureTopics(
  topics: { name: string; partitions?: number; configs?: { [k: string]: string } }[],
): Promise<void> {
  const admin = new Admin({ clientId: 'example-setup', bootstrapBrokers: [BOOTSTRAP] });
  try {
    const existing = new Set(await admin.listTopics());
    for (const t of topics) {
      if (existing.has(t.name)) continue;
      await admin.createTopics({
        topics: [t.name],
        partitions: t.partitions ?? 1,
        replicas: 1,
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      });
    }
  } finally {
    await admin.close();
  }
}

export async function send(
  topic: string,
  records: { key: string; value: string; timestamp?: number }[],
): Promise<void> {
  const producer = new Producer({ clientId: 'example-input', bootstrapBrokers: [BOOTSTRAP], acks: -1 });
  try {
    await producer.send({
      messages: records.map((r) => ({
        topic,
        key: Buffer.from(r.key),
        value: Buffer.from(r.value),
        ...(r.timestamp !== undefined ? { timestamp: BigInt(r.timestamp) } : {}),
      })),
    });
  } finally {
    await producer.close();
  }
}

/**
 * Prints `key → value` for each record of `topic` (read_committed, from the start) and resolves
 * when `done(seen)` says so. The consumer is closed then.
 */
export async function tail(
  topic: string,
  print: (key: string, value: string) => string,
  done: (seen: Map<string, string>) => boolean,
): Promise<void> {
  const consumer = new Consumer({
    clientId: 'example-output',
    groupId: `example-tail-${topic}-${process.pid}`,
    bootstrapBrokers: [BOOTSTRAP],
    deserializers: stringDeserializers,
    isolationLevel: 1,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
  const seen = new Map<string, string>();
  try {
    for await (const m of stream) {
      seen.set(m.key, m.value);
      console.log(print(m.key, m.value));
      if (done(seen)) break;
    }
  } finally {
    await stream.close();
    await consumer.close();
  }
}
