/** Test helpers for the emitter: read a topic back with a real consumer, and CloudEvents headers. */
import { Admin } from '@platformatic/kafka';
import { createConsumer } from '../../src/client/clients.ts';
import type { ConsumedRecord } from '../../src/client/consumed-record.ts';
import { readPartitions } from '../../src/client/partition-reader.ts';

export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'emit-test', bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/**
 * Reads every partition of `topic` from the start until `expected` records arrived and then
 * `quietMs` passed without more (so duplicates would be seen), or `timeoutMs` passed.
 */
export async function readAll(
  bootstrap: string,
  topic: string,
  partitions: number,
  expected: number,
  { timeoutMs = 30_000, quietMs = 500 } = {},
): Promise<ConsumedRecord[]> {
  const consumer = createConsumer(
    { bootstrapBrokers: [bootstrap] },
    { clientId: 'emit-test-reader', groupId: 'unused' },
  );
  const controller = new AbortController();
  const records: ConsumedRecord[] = [];
  const deadline = setTimeout(() => controller.abort(), timeoutMs);
  let quiet: NodeJS.Timeout | undefined;
  try {
    const positions = new Map(Array.from({ length: partitions }, (_, p) => [p, 0n] as [number, bigint]));
    for await (const r of readPartitions({
      consumer,
      topic,
      positions,
      signal: controller.signal,
      maxWaitMs: 100,
    })) {
      records.push(r);
      if (records.length >= expected) {
        if (quiet !== undefined) clearTimeout(quiet);
        quiet = setTimeout(() => controller.abort(), quietMs);
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(deadline);
    if (quiet !== undefined) clearTimeout(quiet);
    await consumer.close(true).catch(() => {});
  }
  return records;
}

export function header(r: ConsumedRecord, name: string): string | undefined {
  const h = r.headers.find(([k]) => k.toString() === name);
  return h?.[1]?.toString();
}

/** Asserts-friendly summary: per key, the sequence numbers in the order read. */
export function sequencesByKey(
  records: ConsumedRecord[],
  seqOf: (r: ConsumedRecord) => number,
): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const r of [...records].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
    const key = r.key?.toString() ?? '';
    let list = byKey.get(key);
    if (list === undefined) byKey.set(key, (list = []));
    list.push(seqOf(r));
  }
  return byKey;
}
