/**
 * `TaskKafka` for connectors that write topics of their own (retry and dead-letter topics): raw
 * records sent with acks=all through the worker's producer, in order, in runs that fit the topic's
 * batches (batch-limits.ts: the producer puts each call's records of a partition in one batch, and
 * a broker refuses one over `max.message.bytes`), and topics created when missing (partitions and
 * replication factor -1 mean the broker's defaults).
 */
import type { Admin, Producer } from '@platformatic/kafka';
import type { OutgoingRecord, TaskKafka } from '../api/index.ts';
import { fittingRuns, recordBytes, TopicBatchLimits } from './batch-limits.ts';
import { ensureTopic } from './kafka-log.ts';

export function headerMap(headers: readonly (readonly [string, Buffer])[] | undefined): Map<Buffer, Buffer> {
  const map = new Map<Buffer, Buffer>();
  for (const [k, v] of headers ?? []) map.set(Buffer.from(k, 'utf8'), v);
  return map;
}

export function taskKafka(producer: Producer, admin: Admin): TaskKafka {
  const known = new Set<string>();
  const limits = new TopicBatchLimits(admin);
  return {
    async send(records: readonly OutgoingRecord[]): Promise<void> {
      if (records.length === 0) return;
      for (const r of records) await limits.learn(r.topic);
      const runs = fittingRuns(
        records,
        (r) => recordBytes(r.key?.length ?? 0, r.value?.length ?? 0, r.headers),
        (r) => r.topic,
        limits.limit,
      );
      for (const run of runs) {
        await producer.send({
          messages: run.map((r) => ({
            topic: r.topic,
            key: r.key ?? undefined,
            value: r.value ?? undefined,
            headers: headerMap(r.headers),
            ...(r.partition === undefined ? {} : { partition: r.partition }),
            ...(r.timestamp === undefined ? {} : { timestamp: BigInt(r.timestamp) }),
          })) as never,
          acks: -1,
        });
      }
    },
    async ensureTopic(name, options = {}): Promise<void> {
      if (known.has(name)) return;
      await ensureTopic(
        admin,
        name,
        options.partitions ?? -1,
        options.replicationFactor ?? -1,
        options.configs ?? {},
      );
      known.add(name);
    },
  };
}
