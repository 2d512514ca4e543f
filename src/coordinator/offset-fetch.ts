/**
 * OffsetFetch: committed offsets of the requested partitions (offset -1, empty metadata where
 * nothing is committed), or of every committed partition when topics is null. Unknown groups are
 * not an error: they simply have no offsets.
 */

import { ErrorCode } from '../protocol/errors.ts';
import type { CoordinatorContext } from './context.ts';
import type { OffsetAndMetadata } from './offsets.ts';
import type { OffsetFetchPartition, OffsetFetchResult, OffsetFetchTopic } from './types.ts';

function entry(partitionIndex: number, om: OffsetAndMetadata | undefined): OffsetFetchPartition {
  if (om === undefined) {
    return {
      partitionIndex,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode: ErrorCode.NONE,
    };
  }
  return {
    partitionIndex,
    committedOffset: om.committedOffset,
    committedLeaderEpoch: om.leaderEpoch,
    metadata: om.metadata,
    errorCode: ErrorCode.NONE,
  };
}

export function fetchOffsets(
  ctx: CoordinatorContext,
  groupId: string,
  topics: OffsetFetchTopic[] | null,
): OffsetFetchResult {
  const group = ctx.groups.get(groupId);
  const known = group !== undefined && !group.is('Dead');
  if (topics !== null) {
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) =>
          entry(p, known ? ctx.offsets.get(groupId, t.name, p) : undefined),
        ),
      })),
    };
  }
  const byTopic = new Map<string, OffsetFetchPartition[]>();
  if (known) {
    for (const { topic, partition, offset } of ctx.offsets.list(groupId)) {
      let list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, (list = []));
      list.push(entry(partition, offset));
    }
  }
  return {
    errorCode: ErrorCode.NONE,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  };
}
