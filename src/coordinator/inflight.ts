/**
 * Bookkeeping of offset commits that are written but not yet durable, so group deletion can
 * tombstone them too and offset expiry leaves their groups alone until they land.
 */
import type { CoordinatorContext, InflightPartition } from './context.ts';

const key = (topic: string, partition: number): string => JSON.stringify([topic, partition]);

export function addInflight(ctx: CoordinatorContext, groupId: string, partitions: [string, number][]): void {
  let byKey = ctx.inflightCommits.get(groupId);
  if (byKey === undefined) ctx.inflightCommits.set(groupId, (byKey = new Map()));
  for (const [topic, partition] of partitions) {
    const k = key(topic, partition);
    const entry = byKey.get(k);
    if (entry === undefined) byKey.set(k, { topic, partition, count: 1 });
    else entry.count++;
  }
}

export function removeInflight(
  ctx: CoordinatorContext,
  groupId: string,
  partitions: [string, number][],
): void {
  const byKey = ctx.inflightCommits.get(groupId);
  if (byKey === undefined) return;
  for (const [topic, partition] of partitions) {
    const k = key(topic, partition);
    const entry = byKey.get(k);
    if (entry !== undefined && --entry.count === 0) byKey.delete(k);
  }
  if (byKey.size === 0) ctx.inflightCommits.delete(groupId);
}

export function inflightPartitions(ctx: CoordinatorContext, groupId: string): InflightPartition[] {
  return [...(ctx.inflightCommits.get(groupId)?.values() ?? [])];
}
