/**
 * A consumer group's position over the Kafka protocol: committed offsets (OffsetFetch), log end
 * offsets (ListOffsets) and the lag between them, per partition.
 */
import type { Admin } from '@platformatic/kafka';
import { listOffsets } from '../client/offsets.ts';

export interface PartitionLag {
  /** On-the-wire topic name. */
  topic: string;
  partition: number;
  /** Null when the group has committed nothing for the partition. */
  committed: bigint | null;
  /** Null when the topic no longer exists. */
  logEnd: bigint | null;
  lag: bigint | null;
}

/** Committed offsets of a group: topic → partition → offset (only partitions with a commit). */
export async function committedOffsets(
  admin: Admin,
  group: string,
  topics?: ReadonlyMap<string, readonly number[]>,
): Promise<Map<string, Map<number, bigint>>> {
  const request = topics
    ? { groupId: group, topics: [...topics].map(([name, list]) => ({ name, partitionIndexes: [...list] })) }
    : group;
  const [result] = await admin.listConsumerGroupOffsets({ groups: [request] });
  const out = new Map<string, Map<number, bigint>>();
  for (const topic of result?.topics ?? []) {
    for (const p of topic.partitions) {
      if (p.committedOffset < 0n) continue;
      const byPartition = out.get(topic.name) ?? new Map<number, bigint>();
      byPartition.set(p.partitionIndex, p.committedOffset);
      out.set(topic.name, byPartition);
    }
  }
  return out;
}

/** Log end offsets per topic, tolerating topics that were deleted (they get no entry). */
async function logEnds(admin: Admin, partitions: ReadonlyMap<string, readonly number[]>) {
  const out = new Map<string, Map<number, bigint>>();
  await Promise.all(
    [...partitions].map(async ([topic, list]) => {
      try {
        const offsets = await listOffsets(admin, new Map([[topic, list]]), 'latest');
        const byPartition = offsets.get(topic);
        if (byPartition) out.set(topic, byPartition);
      } catch {
        // A deleted topic: its lag is unknown.
      }
    }),
  );
  return out;
}

/** Lag of every partition the group committed for or is assigned, sorted by topic and partition. */
export async function groupLag(
  admin: Admin,
  group: string,
  assigned: ReadonlyMap<string, readonly number[]>,
): Promise<PartitionLag[]> {
  const committed = await committedOffsets(admin, group);
  const partitions = new Map<string, number[]>();
  for (const [topic, byPartition] of committed) partitions.set(topic, [...byPartition.keys()]);
  for (const [topic, list] of assigned) {
    partitions.set(topic, [...new Set([...(partitions.get(topic) ?? []), ...list])]);
  }
  const ends = await logEnds(admin, partitions);
  const rows: PartitionLag[] = [];
  for (const [topic, list] of partitions) {
    for (const partition of list) {
      const at = committed.get(topic)?.get(partition) ?? null;
      const end = ends.get(topic)?.get(partition) ?? null;
      rows.push({
        topic,
        partition,
        committed: at,
        logEnd: end,
        lag: at !== null && end !== null ? (end > at ? end - at : 0n) : null,
      });
    }
  }
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
