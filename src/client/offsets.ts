/**
 * Offsets of topic partitions through ListOffsets: earliest (log start), latest (log end, the
 * high watermark) or the first offset at or after a timestamp.
 */
import type { Admin } from '@platformatic/kafka';

export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

/** topic → partition → offset. */
export type TopicOffsets = Map<string, Map<number, bigint>>;

function specTimestamp(spec: OffsetSpec): bigint {
  if (spec === 'earliest') return -2n;
  if (spec === 'latest') return -1n;
  return BigInt(Math.trunc(spec.timestamp));
}

/**
 * Looks up one offset per requested partition. For a timestamp after the last record Kafka answers
 * -1; that is returned as is so callers can decide (usually: use the latest offset).
 */
export async function listOffsets(
  admin: Admin,
  partitions: ReadonlyMap<string, readonly number[]>,
  spec: OffsetSpec,
): Promise<TopicOffsets> {
  const result: TopicOffsets = new Map();
  const topics = [...partitions]
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => ({
      name,
      partitions: list.map((partitionIndex) => ({ partitionIndex, timestamp: specTimestamp(spec) })),
    }));
  if (topics.length === 0) return result;
  for (const topic of await admin.listOffsets({ topics })) {
    const byPartition = result.get(topic.name) ?? new Map<number, bigint>();
    for (const p of topic.partitions) byPartition.set(p.partitionIndex, p.offset);
    result.set(topic.name, byPartition);
  }
  return result;
}

/** Partition indexes of each topic, from metadata. */
export async function partitionsOf(admin: Admin, topics: readonly string[]): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  if (topics.length === 0) return result;
  const metadata = await admin.metadata({ topics: [...topics], forceUpdate: true });
  for (const name of topics) {
    const topic = metadata.topics.get(name);
    if (topic) result.set(name, [...Array(topic.partitionsCount).keys()]);
  }
  return result;
}
