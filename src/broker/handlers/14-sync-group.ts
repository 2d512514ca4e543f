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
  SyncGroupResponseVersions,
  writeSyncGroupResponse,
} from '../../protocol/generated/messages/sync-group-response.ts';
import { canGroup, Operation } from '../authz.ts';
import { defineHandler } from '../handler.ts';

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
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: SyncGroupResponseVersions.min,
  maxVersion: SyncGroupResponseVersions.max,
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
