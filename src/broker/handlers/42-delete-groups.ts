/**
 * DeleteGroups (key 42), versions 0-2. Removes empty groups and their committed offsets;
 * NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for unknown groups. Authorization:
 * DELETE on each group, else GROUP_AUTHORIZATION_FAILED for it.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DeleteGroupsRequest,
  readDeleteGroupsRequest,
} from '../../protocol/generated/messages/delete-groups-request.ts';
import {
  type DeleteGroupsResponse,
  DeleteGroupsResponseVersions,
  writeDeleteGroupsResponse,
} from '../../protocol/generated/messages/delete-groups-response.ts';
import { canGroup, Operation } from '../authz.ts';
import { defineHandler } from '../handler.ts';

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: DeleteGroupsResponseVersions.min,
  maxVersion: DeleteGroupsResponseVersions.max,
  readRequest: readDeleteGroupsRequest,
  writeResponse: writeDeleteGroupsResponse,
  async handle(req, ctx) {
    const allowed = req.groupsNames.filter((g) => canGroup(ctx, Operation.DELETE, g));
    const denied = req.groupsNames
      .filter((g) => !allowed.includes(g))
      .map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }));
    const deleted = allowed.length > 0 ? await ctx.services.groups.deleteGroups(allowed) : [];
    return { throttleTimeMs: 0, results: [...denied, ...deleted] };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.groupsNames.map((groupId) => ({ groupId, errorCode })),
  }),
});
