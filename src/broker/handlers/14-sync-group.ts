/**
 * SyncGroup (key 14), versions 0-5. The leader sends the assignment it computed; every member's
 * response is held until the leader's assignment is stored, then carries that member's share.
 */
import {
  readSyncGroupRequest,
  type SyncGroupRequest,
} from '../../protocol/generated/messages/sync-group-request.ts';
import {
  type SyncGroupResponse,
  SyncGroupResponseVersions,
  writeSyncGroupResponse,
} from '../../protocol/generated/messages/sync-group-response.ts';
import { defineHandler } from '../handler.ts';

export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: SyncGroupResponseVersions.min,
  maxVersion: SyncGroupResponseVersions.max,
  readRequest: readSyncGroupRequest,
  writeResponse: writeSyncGroupResponse,
  async handle(req, ctx) {
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
  errorResponse: (_req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    protocolType: null,
    protocolName: null,
    assignment: Buffer.alloc(0),
  }),
});
