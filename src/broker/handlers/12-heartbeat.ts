/**
 * Heartbeat (key 12), versions 0-4: keeps a member's session alive and tells it to rejoin
 * (REBALANCE_IN_PROGRESS) while the group rebalances. Authorization: READ on the group, else
 * GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type HeartbeatRequest,
  readHeartbeatRequest,
} from '../../protocol/generated/messages/heartbeat-request.ts';
import {
  type HeartbeatResponse,
  writeHeartbeatResponse,
} from '../../protocol/generated/messages/heartbeat-response.ts';
import { canGroup, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(12, 0, 4);

export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponse>({
  ...SERVES,
  name: 'Heartbeat',
  readRequest: readHeartbeatRequest,
  writeResponse: writeHeartbeatResponse,
  handle(req, ctx) {
    if (!canGroup(ctx, Operation.READ, req.groupId))
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    const r = ctx.services.groups.heartbeat({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: ctx.apiVersion >= 3 ? req.groupInstanceId : null,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
