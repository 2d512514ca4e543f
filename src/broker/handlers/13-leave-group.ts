/**
 * LeaveGroup (key 13), versions 0-5. v0-2 name one member; v3+ remove a batch of members (by member
 * id and/or group.instance.id) with an error per member. Leaving triggers a rebalance at once.
 * Authorization: READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type LeaveGroupRequest,
  readLeaveGroupRequest,
} from '../../protocol/generated/messages/leave-group-request.ts';
import {
  type LeaveGroupResponse,
  writeLeaveGroupResponse,
} from '../../protocol/generated/messages/leave-group-response.ts';
import { canGroup, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(13, 0, 5);

export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  ...SERVES,
  name: 'LeaveGroup',
  readRequest: readLeaveGroupRequest,
  writeResponse: writeLeaveGroupResponse,
  handle(req, ctx) {
    if (!canGroup(ctx, Operation.READ, req.groupId))
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    const batch = ctx.apiVersion >= 3;
    const members = batch
      ? req.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          reason: m.reason,
        }))
      : [{ memberId: req.memberId, groupInstanceId: null }];
    const r = ctx.services.groups.leaveGroup(req.groupId, members);
    if (batch) return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
    return { throttleTimeMs: 0, errorCode: r.errorCode || (r.members[0]?.errorCode ?? 0), members: [] };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
});
