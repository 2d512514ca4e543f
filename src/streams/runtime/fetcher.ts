/**
 * Fetches records of many topic partitions from given positions without a consumer-group
 * subscription (positions are ours): one Fetch per partition leader, long polling, records of
 * aborted transactions dropped for read_committed, positions out of range moved to the nearest
 * valid offset. Used for input partitions, changelog restore and global topics.
 */
import type { Consumer } from '@platformatic/kafka';
import { nextFetchOffset, visitRecords } from '../../client/consumed-record.ts';
import type { RawRecord } from './stream-task.ts';

const OFFSET_OUT_OF_RANGE = 1;
/** Shared by records without headers (never mutated). */
const NO_HEADERS = Object.freeze([]) as unknown as RawRecord['headers'];

export interface FetchOptions {
  isolationLevel: 0 | 1;
  maxWaitMs: number;
  partitionMaxBytes?: number;
  /** Told each partition's high watermark (log end offset) from the fetch response. */
  onHighWatermark?: (tp: string, highWatermark: bigint) => void;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function splitTp(tp: string): { topic: string; partition: number } {
  const i = tp.lastIndexOf(':');
  return { topic: tp.slice(0, i), partition: Number(tp.slice(i + 1)) };
}

/** Reads once from every partition in `positions` (advancing them); returns records per partition. */
export async function fetchOnce(
  consumer: Consumer,
  positions: Map<string, bigint>,
  options: FetchOptions,
): Promise<Map<string, RawRecord[]>> {
  const out = new Map<string, RawRecord[]>();
  if (positions.size === 0) return out;
  const topics = [...new Set([...positions.keys()].map((tp) => splitTp(tp).topic))];
  const metadata = await consumer.metadata({ topics });
  const byLeader = new Map<number, Map<string, { topicId: string; partitions: number[] }>>();
  const nameById = new Map<string, string>();
  for (const tp of positions.keys()) {
    const { topic, partition } = splitTp(tp);
    const info = metadata.topics.get(topic);
    if (!info) throw new Error(`topic ${topic} does not exist`);
    nameById.set(info.id, topic);
    const leader = info.partitions[partition]?.leader ?? -1;
    let m = byLeader.get(leader);
    if (!m) byLeader.set(leader, (m = new Map()));
    let t = m.get(topic);
    if (!t) m.set(topic, (t = { topicId: info.id, partitions: [] }));
    t.partitions.push(partition);
  }
  const partitionMaxBytes = options.partitionMaxBytes ?? 1024 * 1024;
  const outOfRange: string[] = [];
  await Promise.all(
    [...byLeader].map(async ([node, byTopic]) => {
      let response: Awaited<ReturnType<Consumer['fetch']>>;
      try {
        response = await consumer.fetch({
          node,
          topics: [...byTopic.values()].map((t) => ({
            topicId: t.topicId,
            partitions: t.partitions.map((partition) => ({
              partition,
              fetchOffset: positions.get(tpKey(nameById.get(t.topicId)!, partition))!,
              partitionMaxBytes,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
            })),
          })),
          maxWaitTime: options.maxWaitMs,
          minBytes: 1,
          maxBytes: partitionMaxBytes * 8,
          isolationLevel: options.isolationLevel,
        });
      } catch (err) {
        const r = (err as { response?: Awaited<ReturnType<Consumer['fetch']>> }).response;
        if (!r) throw err;
        response = r;
      }
      for (const topicResponse of response.responses) {
        const topic =
          nameById.get(topicResponse.topicId) ?? (topicResponse as unknown as { name?: string }).name;
        if (topic === undefined) continue;
        for (const p of topicResponse.partitions) {
          const tp = tpKey(topic, p.partitionIndex);
          const position = positions.get(tp);
          if (position === undefined) continue;
          if (p.errorCode === OFFSET_OUT_OF_RANGE) {
            outOfRange.push(tp);
            continue;
          }
          if (p.errorCode !== 0) continue;
          options.onHighWatermark?.(tp, p.highWatermark);
          const batches = p.records ?? [];
          if (batches.length === 0) continue;
          positions.set(tp, nextFetchOffset(batches, position));
          const records: RawRecord[] = [];
          const partition = p.partitionIndex;
          visitRecords(batches, position, p.abortedTransactions ?? [], (offset, timestamp, r) => {
            let headers: RawRecord['headers'] = NO_HEADERS;
            if (r.headers.length > 0) {
              headers = [];
              for (const [k, v] of r.headers) if (k !== null) headers.push([k.toString('utf8'), v]);
            }
            records.push({
              topic,
              partition,
              offset,
              timestamp: Number(timestamp),
              key: r.key,
              value: r.value,
              headers,
            });
          });
          out.set(tp, records);
        }
      }
    }),
  );
  if (outOfRange.length > 0) {
    const reset = await endOffsets(consumer, outOfRange, 'earliest', options.isolationLevel);
    for (const tp of outOfRange) positions.set(tp, reset.get(tp) ?? 0n);
  }
  return out;
}

/** Earliest or latest (high watermark, or last stable offset with read_committed) offsets. */
export async function endOffsets(
  consumer: Consumer,
  tps: string[],
  which: 'earliest' | 'latest',
  isolationLevel: 0 | 1,
): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  if (tps.length === 0) return out;
  const partitions: Record<string, number[]> = {};
  for (const tp of tps) {
    const { topic, partition } = splitTp(tp);
    (partitions[topic] ??= []).push(partition);
  }
  const offsets = await consumer.listOffsets({
    topics: Object.keys(partitions),
    partitions,
    timestamp: which === 'earliest' ? -2n : -1n,
    isolationLevel,
  });
  for (const [topic, list] of offsets) {
    for (let p = 0; p < list.length; p++) if (list[p] !== undefined) out.set(tpKey(topic, p), list[p]!);
  }
  return new Map([...out].filter(([tp]) => tps.includes(tp)));
}
