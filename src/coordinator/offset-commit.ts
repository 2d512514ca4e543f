/**
 * OffsetCommit: Kafka's checks (simple/admin commits with generation -1 while the group is Empty
 * or unknown; members must be current: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION;
 * REBALANCE_IN_PROGRESS while CompletingRebalance), metadata size, then the commit is written and
 * the Promise resolves once it is durable; only then do fetches see it.
 */

import { ErrorCode } from '../protocol/errors.ts';
import { appendErrorToResponse } from './append-error.ts';
import type { CoordinatorContext } from './context.ts';
import { ClassicGroup } from './group.ts';
import { addInflight, removeInflight } from './inflight.ts';
import type { OffsetAndMetadata } from './offsets.ts';
import { offsetRecord } from './persistence.ts';
import { scheduleHeartbeat } from './rebalance.ts';
import type { OffsetCommitOptions, OffsetCommitResult, OffsetCommitTopic, StoredRecord } from './types.ts';

/** OffsetCommit v9+ reports an unknown group as GROUP_ID_NOT_FOUND (before: ILLEGAL_GENERATION). */
const GROUP_ID_NOT_FOUND_VERSION = 9;

/** Kafka's ClassicGroup.validateOffsetCommit. */
function validateCommit(
  group: ClassicGroup,
  memberId: string,
  instanceId: string | null,
  generationId: number,
) {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  // Generation -1 comes from the admin client or a consumer without group management.
  if (generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '' || instanceId !== null) {
    const error = group.validateMember(memberId, instanceId);
    if (error !== ErrorCode.NONE) return error;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (!group.is('Empty')) {
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  if (group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}

export async function commitOffsets(
  ctx: CoordinatorContext,
  groupId: string,
  generationId: number,
  memberId: string,
  groupInstanceId: string | null,
  topics: OffsetCommitTopic[],
  options: OffsetCommitOptions = {},
): Promise<OffsetCommitResult> {
  const errors = topics.map((t) => t.partitions.map((): number => ErrorCode.NONE));
  const result = (): OffsetCommitResult => ({
    topics: topics.map((t, i) => ({
      name: t.name,
      partitions: t.partitions.map((p, j) => ({
        partitionIndex: p.partitionIndex,
        errorCode: errors[i]![j]!,
      })),
    })),
  });
  const failAll = (code: number) => {
    for (const list of errors) list.fill(code);
    return result();
  };

  let group = ctx.groups.get(groupId);
  if (group === undefined) {
    if (generationId >= 0) {
      const useNotFound = (options.apiVersion ?? 0) >= GROUP_ID_NOT_FOUND_VERSION;
      return failAll(useNotFound ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
    }
    group = new ClassicGroup(groupId, 'Empty', ctx.clock.now());
    ctx.groups.set(groupId, group);
  }
  const error = validateCommit(group, memberId, groupInstanceId, generationId);
  if (error !== ErrorCode.NONE) return failAll(error);
  const member = group.is('Empty') ? undefined : group.member(memberId);
  if (member !== undefined) scheduleHeartbeat(ctx, group, member);

  const now = ctx.clock.now();
  const retention = Number(options.retentionTimeMs ?? -1);
  const records: StoredRecord[] = [];
  const pending: { i: number; j: number; topic: string; partition: number; offset: OffsetAndMetadata }[] = [];
  topics.forEach((t, i) => {
    t.partitions.forEach((p, j) => {
      const metadata = p.committedMetadata ?? '';
      if (metadata.length > ctx.config.offsetMetadataMaxBytes) {
        errors[i]![j] = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        return;
      }
      const offset: OffsetAndMetadata = {
        committedOffset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata,
        commitTimestampMs: now,
        expireTimestampMs: retention >= 0 ? now + retention : null,
      };
      records.push(offsetRecord(groupId, t.name, p.partitionIndex, offset));
      pending.push({ i, j, topic: t.name, partition: p.partitionIndex, offset });
    });
  });
  if (records.length === 0) return result();

  const partitions = pending.map((p): [string, number] => [p.topic, p.partition]);
  addInflight(ctx, groupId, partitions);
  const code = await ctx.append(records);
  removeInflight(ctx, groupId, partitions);
  if (code !== ErrorCode.NONE) {
    const mapped = appendErrorToResponse(code, true);
    for (const p of pending) errors[p.i]![p.j] = mapped;
    return result();
  }
  // A group deleted meanwhile wrote its tombstones after this commit: the commit is gone.
  if (ctx.groups.get(groupId) === group) {
    for (const p of pending) ctx.offsets.set(groupId, p.topic, p.partition, p.offset);
  }
  return result();
}
