/**
 * A deleted topic's committed offsets leave every group, as Kafka's `onPartitionsDeleted` does:
 * tombstones for each offset, and an Empty group left with no offsets goes Dead and is removed
 * (with its group tombstone). Offsets still in flight or pending in a transaction are not touched:
 * they land for a topic that no longer exists and go with the next deletion or offset expiry.
 */
import type { CoordinatorContext } from './context.ts';
import { dropGroup } from './group-admin.ts';
import { offsetTombstone } from './persistence.ts';
import type { StoredRecord } from './types.ts';

/** Removes the topics' offsets from every group; resolves with the append's error code. */
export function removeDeletedTopics(ctx: CoordinatorContext, topics: readonly string[]): Promise<number> {
  const deleted = new Set(topics);
  const records: StoredRecord[] = [];
  for (const groupId of ctx.offsets.groupIds()) {
    for (const { topic, partition } of ctx.offsets.list(groupId)) {
      if (!deleted.has(topic)) continue;
      ctx.offsets.delete(groupId, topic, partition);
      records.push(offsetTombstone(groupId, topic, partition));
    }
    const group = ctx.groups.get(groupId);
    if (group?.is('Empty') && !ctx.offsets.hasOffsets(groupId) && !ctx.inflightCommits.has(groupId))
      records.push(...dropGroup(ctx, group));
  }
  return records.length === 0 ? Promise.resolve(0) : ctx.append(records);
}
