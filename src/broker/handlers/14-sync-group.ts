/**
 * SyncGroup (key 14), versions 0-5. The leader sends the assignment it computed; every member's
 * response is held until the leader's assignment is stored, then carries that member's share.
 * Authorization: READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  readSyncGroupRequest,
  type SyncGroupRequest,
} from '../../protocol/generated/messages/sync-group-request.ts';
import {
  type SyncGroupResponse,
  writeSyncGroupResponse,
} from '../../protocol/generated/messages/sync-group-response.ts';
import { canGroup, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(14, 0, 5);

function failed(errorCode: number): SyncGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    protocolType: null,
    protocolName: null,
    assignment: Buffer.alloc(0),
  };
}

export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponse>({
  ...SERVES,
  name: 'SyncGroup',
  readRequest: readSyncGroupRequest,
  writeResponse: writeSyncGroupResponse,
  async handle(req, ctx) {
    if (!canGroup(ctx, Operation.READ, req.groupId)) return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const r = await ctx.services.groups.syncGroup({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: ctx.apiVersion >= 3 ? req.groupInstanceId : null,
      protocolType: ctx.apiVersion >= 5 ? req.protocolType : null,
      protocolName: ctx.apiVersion >= 5 ? req.protocolName : null,
      assignments: req.assignments,
    });
    return { throttleTimeMs: 0, ...r };
  },
  errorResponse: (_req, errorCode) => failed(errorCode),
});
