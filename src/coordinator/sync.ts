/**
 * SyncGroup: followers wait for the leader's assignment; the leader's SyncGroup persists the
 * assignment and, once durable, every waiting member gets its share and the group is Stable.
 * In a Stable group the current assignment is returned at once. v5 protocol type/name checks.
 */

import { ErrorCode } from '../protocol/errors.ts';
import type { CoordinatorContext } from './context.ts';
import type { ClassicGroup } from './group.ts';
import { EMPTY_ASSIGNMENT } from './member.ts';
import { groupRecord } from './persistence.ts';
import { onAssignmentStored } from './rebalance.ts';
import { syncError } from './results.ts';
import { syncKey } from './timers.ts';
import type { SyncGroupRequest, SyncGroupResult } from './types.ts';

export function syncGroup(ctx: CoordinatorContext, request: SyncGroupRequest): Promise<SyncGroupResult> {
  return new Promise((resolve) => {
    const immediate = handleSync(ctx, request, resolve);
    if (immediate !== undefined) resolve(immediate);
  });
}

/** Different only when both sides name one (SyncGroup < v5 sends none). */
function inconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}

function validate(group: ClassicGroup, req: SyncGroupRequest): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const error = group.validateMember(req.memberId, req.groupInstanceId);
  if (error !== ErrorCode.NONE) return error;
  if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  if (
    inconsistent(req.protocolType, group.protocolType) ||
    inconsistent(req.protocolName, group.protocolName)
  ) {
    return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  }
  return ErrorCode.NONE;
}

function handleSync(
  ctx: CoordinatorContext,
  req: SyncGroupRequest,
  respond: (r: SyncGroupResult) => void,
): SyncGroupResult | undefined {
  if (req.groupId === '') return syncError(ErrorCode.INVALID_GROUP_ID);
  const group = ctx.groups.get(req.groupId);
  if (group === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
  const error = validate(group, req);
  if (error !== ErrorCode.NONE) return syncError(error);
  const member = group.member(req.memberId)!;

  switch (group.state) {
    case 'Empty':
      return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    case 'PreparingRebalance':
      return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
    case 'Stable':
      markSynced(ctx, group, req.memberId);
      return {
        errorCode: ErrorCode.NONE,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: member.assignment,
      };
    case 'CompletingRebalance': {
      member.completeSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      member.syncResolver = respond;
      markSynced(ctx, group, req.memberId);
      if (!group.isLeader(req.memberId)) return undefined;
      // Members the leader left out get an empty assignment.
      const assignment = new Map<string, Buffer>();
      for (const a of req.assignments) assignment.set(a.memberId, a.assignment);
      for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, EMPTY_ASSIGNMENT);
      const generationId = group.generationId;
      void ctx
        .append([groupRecord(group, assignment)])
        .then((code) => onAssignmentStored(ctx, group, generationId, assignment, code));
      return undefined;
    }
    default:
      return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }
}

function markSynced(ctx: CoordinatorContext, group: ClassicGroup, memberId: string): void {
  group.removePendingSyncMember(memberId);
  if (group.hasReceivedSyncFromAllMembers()) ctx.timers.cancel(syncKey(group.groupId));
}
