/**
 * Offset retention (offsets.retention.minutes, Kafka 2.1+ semantics): offsets of an Empty group
 * expire once the retention has passed since the group became Empty; offsets of groups without a
 * protocol type (simple commits) since their commit; a Stable consumer group's offsets for topics
 * it no longer subscribes to since their commit. An explicit v2-v4 retention sets a fixed expiry.
 * An Empty group left without offsets goes Dead and is removed. Tombstones are written for all.
 */
import type { CoordinatorContext } from './context.ts';
import type { ClassicGroup } from './group.ts';
import { dropGroup } from './group-admin.ts';
import type { OffsetAndMetadata } from './offsets.ts';
import { offsetTombstone } from './persistence.ts';
import type { StoredRecord } from './types.ts';

type BaseTimestamp = (offset: OffsetAndMetadata) => number;

/** From when an offset's retention counts for this group, or null if its offsets do not expire now. */
function expirationBase(group: ClassicGroup): BaseTimestamp | null {
  if (group.protocolType === null || group.protocolType === '') return (o) => o.commitTimestampMs;
  if (group.is('Empty')) return (o) => group.currentStateTimestamp ?? o.commitTimestampMs;
  if (group.usesConsumerProtocol() && group.subscribedTopics !== null && group.is('Stable')) {
    return (o) => o.commitTimestampMs;
  }
  return null;
}

function isExpired(
  offset: OffsetAndMetadata,
  base: BaseTimestamp,
  now: number,
  retentionMs: number,
): boolean {
  if (offset.expireTimestampMs !== null) return now >= offset.expireTimestampMs;
  return now - base(offset) >= retentionMs;
}

/** Runs one expiration pass; returns the records it wrote (tombstones). */
export function cleanupExpiredOffsets(ctx: CoordinatorContext): StoredRecord[] {
  const now = ctx.clock.now();
  const records: StoredRecord[] = [];
  for (const group of [...ctx.groups.values()]) {
    const groupId = group.groupId;
    if (ctx.inflightCommits.has(groupId)) continue;
    const base = expirationBase(group);
    const committed = ctx.offsets.list(groupId);
    let allExpired = true;
    if (committed.length > 0 && base === null) allExpired = false;
    else if (base !== null) {
      for (const { topic, partition, offset } of committed) {
        if (
          !group.isSubscribedToTopic(topic) &&
          isExpired(offset, base, now, ctx.config.offsetsRetentionMs)
        ) {
          ctx.offsets.delete(groupId, topic, partition);
          records.push(offsetTombstone(groupId, topic, partition));
        } else {
          allExpired = false;
        }
      }
    }
    if (allExpired && group.is('Empty')) records.push(...dropGroup(ctx, group));
  }
  if (records.length > 0) void ctx.append(records);
  return records;
}
