/** Shared helpers of the streams tests: topics, producing, reading back with librdkafka, waiting. */
import { join } from 'node:path';
import { Admin, Producer } from '@platformatic/kafka';
import { PYTHON, run } from '../helpers/run.ts';

export const READ_TOPIC_PY = join(import.meta.dirname, 'read-topic.py');

export async function createTopics(
  bootstrap: string,
  topics: { name: string; partitions: number; configs?: { [k: string]: string } }[],
): Promise<void> {
  const admin = new Admin({ clientId: 'streams-test-admin', bootstrapBrokers: [bootstrap] });
  try {
    for (const t of topics)
      await admin.createTopics({
        topics: [t.name],
        partitions: t.partitions,
        replicas: 1,
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      });
  } finally {
    await admin.close();
  }
}

export interface TestMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
  timestamp?: number;
  partition?: number;
}

export async function produce(bootstrap: string, topic: string, messages: TestMessage[]): Promise<void> {
  const producer = new Producer({
    clientId: 'streams-test-producer',
    bootstrapBrokers: [bootstrap],
    acks: -1,
  });
  try {
    for (let i = 0; i < messages.length; i += 5_000) {
      await producer.send({
        messages: messages.slice(i, i + 5_000).map((m) => ({
          topic,
          key: m.key === null ? undefined : Buffer.isBuffer(m.key) ? m.key : Buffer.from(m.key),
          value: (m.value === null
            ? null
            : Buffer.isBuffer(m.value)
              ? m.value
              : Buffer.from(m.value)) as Buffer,
          ...(m.timestamp !== undefined ? { timestamp: BigInt(m.timestamp) } : {}),
          ...(m.partition !== undefined ? { partition: m.partition } : {}),
        })),
      });
    }
  } finally {
    await producer.close();
  }
}

export interface ReadRecord {
  p: number;
  o: number;
  k: string | null;
  v: string | null;
  t: number;
}

/** Reads a whole topic with python3-confluent-kafka (read_committed or read_uncommitted). */
export async function readWithLibrdkafka(
  bootstrap: string,
  topic: string,
  partitions: number,
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<ReadRecord[]> {
  const r = await run(PYTHON, [READ_TOPIC_PY, bootstrap, topic, String(partitions), isolation], {
    timeoutMs: 120_000,
  });
  if (r.code !== 0) throw new Error(`read-topic.py failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ReadRecord);
}

/** Latest value per key. */
export function latestByKey(records: ReadRecord[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const r of [...records].sort((a, b) => a.p - b.p || a.o - b.o)) if (r.k !== null) m.set(r.k, r.v);
  return m;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
