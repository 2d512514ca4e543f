/** Writes test records to a topic with a real producer (acks=all), in batches, and creates topics. */
import { createAdmin, createProducer } from '../../src/client/clients.ts';

export interface TestRecord {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  partition?: number;
  headers?: Record<string, string>;
  timestamp?: number;
}

const bytes = (v: string | Buffer | null | undefined): Buffer | undefined =>
  v === null || v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v);

export async function produce(
  bootstrap: string,
  topic: string,
  records: readonly TestRecord[],
  batchSize = 1000,
): Promise<void> {
  const producer = createProducer({ bootstrapBrokers: [bootstrap] }, { clientId: 'test-produce' });
  try {
    for (let i = 0; i < records.length; i += batchSize) {
      await producer.send({
        messages: records.slice(i, i + batchSize).map((r) => ({
          topic,
          key: bytes(r.key),
          value: bytes(r.value),
          ...(r.partition !== undefined ? { partition: r.partition } : {}),
          ...(r.headers
            ? {
                headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
              }
            : {}),
          ...(r.timestamp !== undefined ? { timestamp: BigInt(r.timestamp) } : {}),
        })) as never,
      });
    }
  } finally {
    await producer.close();
  }
}

export async function createTopic(
  bootstrap: string,
  name: string,
  partitions = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  const admin = createAdmin({ bootstrapBrokers: [bootstrap] }, { clientId: 'test-admin' });
  try {
    await admin.createTopics({
      topics: [name],
      partitions,
      replicas: 1,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    });
  } finally {
    await admin.close();
  }
}
