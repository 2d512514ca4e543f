/**
 * OffsetDelete: removes committed offsets of a group. Refused with NON_EMPTY_GROUP for a
 * non-consumer group that has members, and per topic with GROUP_SUBSCRIBED_TO_TOPIC when a member's
 * consumer-protocol subscription names the topic. Resolves once the tombstones are durable.
 */

import { ErrorCode } from '../protocol/errors.ts';
import { appendErrorToResponse } from './append-error.ts';
import type { CoordinatorContext } from './context.ts';
import { offsetTombstone } from './persistence.ts';
import type { OffsetDeleteResult, OffsetDeleteTopic, StoredRecord } from './types.ts';

export async function deleteOffsets(
  ctx: CoordinatorContext,
  groupId: string,
  topics: OffsetDeleteTopic[],
): Promise<OffsetDeleteResult> {
  const group = ctx.groups.get(groupId);
  if (group === undefined || group.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
  if (!group.is('Empty') && !group.usesConsumerProtocol()) {
    return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
  }
  const records: StoredRecord[] = [];
  const toDelete: [string, number][] = [];
  const result: OffsetDeleteResult = {
    errorCode: ErrorCode.NONE,
    topics: topics.map((t) => {
      const subscribed = group.isSubscribedToTopic(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map(({ partitionIndex }) => {
          if (subscribed) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
          if (ctx.offsets.get(groupId, t.name, partitionIndex) !== undefined) {
            records.push(offsetTombstone(groupId, t.name, partitionIndex));
            toDelete.push([t.name, partitionIndex]);
          }
          return { partitionIndex, errorCode: ErrorCode.NONE };
        }),
      };
    }),
  };
  if (records.length === 0) return result;
  const code = await ctx.append(records);
  if (code !== ErrorCode.NONE) return { errorCode: appendErrorToResponse(code, false), topics: [] };
  for (const [topic, partition] of toDelete) ctx.offsets.delete(groupId, topic, partition);
  return result;
}
