/**
 * Heartbeat: keeps a member's session alive. REBALANCE_IN_PROGRESS tells members to rejoin while
 * the group prepares a rebalance; during CompletingRebalance and Stable the answer is NONE (as in
 * Kafka 2.5+). Stale generations get ILLEGAL_GENERATION, unknown members UNKNOWN_MEMBER_ID.
 */

import { ErrorCode } from '../protocol/errors.ts';
import type { CoordinatorContext } from './context.ts';
import { scheduleHeartbeat } from './rebalance.ts';
import type { HeartbeatRequest, HeartbeatResult } from './types.ts';

export function heartbeat(ctx: CoordinatorContext, req: HeartbeatRequest): HeartbeatResult {
  if (req.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID };
  const group = ctx.groups.get(req.groupId);
  if (group === undefined) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
  if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  const error = group.validateMember(req.memberId, req.groupInstanceId);
  if (error !== ErrorCode.NONE) return { errorCode: error };
  if (req.generationId !== group.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
  const member = group.member(req.memberId)!;
  switch (group.state) {
    case 'PreparingRebalance':
      scheduleHeartbeat(ctx, group, member);
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
    case 'CompletingRebalance':
    case 'Stable':
      scheduleHeartbeat(ctx, group, member);
      return { errorCode: ErrorCode.NONE };
    default:
      return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
  }
}
