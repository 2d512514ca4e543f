/**
 * Partition sizes on disk from DescribeLogDirs (asked of every broker, as Kafka's admin client
 * does): a partition's size is the largest any broker reports for it (its replicas hold the same
 * log), a topic's the sum over its partitions. A cluster that refuses DescribeLogDirs (no DESCRIBE
 * on the cluster) gives no sizes rather than an error: the pages then show "–".
 */
import type { Admin } from '@platformatic/kafka';

/** topic → partition → bytes on disk. */
export type LogSizes = Map<string, Map<number, number>>;

export async function logSizes(admin: Admin, partitions: Map<string, number[]>): Promise<LogSizes> {
  const sizes: LogSizes = new Map();
  if (partitions.size === 0) return sizes;
  try {
    const brokers = await admin.describeLogDirs({
      topics: [...partitions].map(([name, list]) => ({ name, partitions: list })),
    });
    for (const b of brokers) {
      for (const dir of b.results) {
        for (const t of dir.topics) {
          const topic = sizes.get(t.name) ?? new Map<number, number>();
          sizes.set(t.name, topic);
          for (const p of t.partitions) {
            const bytes = Number(p.partitionSize);
            if (bytes > (topic.get(p.partitionIndex) ?? -1)) topic.set(p.partitionIndex, bytes);
          }
        }
      }
    }
  } catch {
    // Not allowed, or not supported: no sizes.
  }
  return sizes;
}

export function topicSize(sizes: LogSizes, topic: string): number | null {
  const t = sizes.get(topic);
  if (t === undefined) return null;
  let sum = 0;
  for (const bytes of t.values()) sum += bytes;
  return sum;
}
