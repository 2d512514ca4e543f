/**
 * Producing records for both API versions: sends a request's records in one `send()` with every
 * partition chosen up front, and turns the broker's base offset per partition into each record's
 * offset. A failed send gives every record of the request Confluent's per-record error
 * (50003 for retriable Kafka errors, 50002 otherwise); a refusal by the ACLs is the request's 403.
 */
import type { UserClients } from './kafka.ts';
import { kafkaErrorName, restErrorOf } from './kafka.ts';
import type { ProxyMetrics } from './metrics.ts';

export interface OutgoingRecord {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Map<Buffer, Buffer>;
  timestamp?: bigint;
}

export type RecordResult =
  | { partition: number; offset: bigint; error?: undefined }
  | { partition: number; offset: null; error: { code: number; message: string } };

const RETRIABLE = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NETWORK_EXCEPTION',
  'KAFKA_STORAGE_ERROR',
]);

export async function produceRecords(
  clients: UserClients,
  topic: string,
  records: OutgoingRecord[],
  metrics?: ProxyMetrics,
): Promise<RecordResult[]> {
  if (records.length === 0) return [];
  const results = await send(clients, topic, records);
  if (metrics) {
    let failed = 0;
    for (const r of results) if (r.error) failed++;
    metrics.produced(topic, results.length - failed, failed);
  }
  return results;
}

async function send(clients: UserClients, topic: string, records: OutgoingRecord[]): Promise<RecordResult[]> {
  const messages = records.map((r) => ({
    topic,
    partition: r.partition,
    key: r.key ?? undefined,
    value: r.value as Buffer,
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}),
  }));
  try {
    const result = await clients.producer.send({ messages });
    const base = new Map<number, bigint>();
    for (const o of result.offsets ?? []) if (o.topic === topic) base.set(o.partition, o.offset);
    const seen = new Map<number, number>();
    return records.map((r) => {
      const i = seen.get(r.partition) ?? 0;
      seen.set(r.partition, i + 1);
      const b = base.get(r.partition);
      return b === undefined
        ? {
            partition: r.partition,
            offset: null,
            error: { code: 50002, message: 'Kafka error: no offset in the response' },
          }
        : { partition: r.partition, offset: b + BigInt(i) };
    });
  } catch (err) {
    const mapped = restErrorOf(err, [topic]);
    if (mapped.status === 401 || mapped.status === 403 || mapped.status === 404) throw mapped;
    const name = kafkaErrorName(err);
    const code = name !== undefined && RETRIABLE.has(name) ? 50003 : 50002;
    const message = code === 50003 ? `Retriable Kafka error: ${name}` : mapped.message;
    return records.map((r) => ({ partition: r.partition, offset: null, error: { code, message } }));
  }
}
