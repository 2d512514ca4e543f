/**
 * LeaveGroup: removes members right away and rebalances (or finishes the rebalance under way).
 * v3+ sends a batch of {memberId, groupInstanceId} with per-member errors; an admin may remove a
 * static member by instance id alone (empty member id). For v0-2 pass the single member id with a
 * null instance id and answer with the top-level error, else that member's error.
 */

import { ErrorCode } from '../protocol/errors.ts';
import type { CoordinatorContext } from './context.ts';
import { maybeCompleteJoinPhase, maybePrepareRebalanceOrCompleteJoin, removeMember } from './rebalance.ts';
import { heartbeatKey } from './timers.ts';
import type { LeaveGroupResult, LeavingMember } from './types.ts';

export function leaveGroup(
  ctx: CoordinatorContext,
  groupId: string,
  leaving: LeavingMember[],
): LeaveGroupResult {
  if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
  const group = ctx.groups.get(groupId);
  if (group === undefined) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] };
  if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };

  let anyLeft = false;
  const members = leaving.map(({ memberId, groupInstanceId }) => {
    const answer = (errorCode: number) => {
      if (errorCode === ErrorCode.NONE) anyLeft = true;
      return { memberId, groupInstanceId, errorCode };
    };
    if (memberId === '') {
      const staticId = groupInstanceId === null ? undefined : group.staticMemberId(groupInstanceId);
      const member = staticId === undefined ? undefined : group.member(staticId);
      if (member === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
      removeMember(ctx, group, member);
      return answer(ErrorCode.NONE);
    }
    if (group.isPendingMember(memberId)) {
      group.removePendingMember(memberId);
      ctx.timers.cancel(heartbeatKey(groupId, memberId));
      return answer(ErrorCode.NONE);
    }
    const error = group.validateMember(memberId, groupInstanceId);
    if (error !== ErrorCode.NONE) return answer(error);
    removeMember(ctx, group, group.member(memberId)!);
    return answer(ErrorCode.NONE);
  });

  if (anyLeft) {
    if (group.is('Stable') || group.is('CompletingRebalance'))
      maybePrepareRebalanceOrCompleteJoin(ctx, group);
    else if (group.is('PreparingRebalance')) maybeCompleteJoinPhase(ctx, group);
  }
  return { errorCode: ErrorCode.NONE, members };
}
