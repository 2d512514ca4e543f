/**
 * DeleteGroups (key 42), versions 0-2. Removes empty groups and their committed offsets;
 * NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for unknown groups.
 */
import {
  type DeleteGroupsRequest,
  readDeleteGroupsRequest,
} from '../../protocol/generated/messages/delete-groups-request.ts';
import {
  type DeleteGroupsResponse,
  DeleteGroupsResponseVersions,
  writeDeleteGroupsResponse,
} from '../../protocol/generated/messages/delete-groups-response.ts';
import { defineHandler } from '../handler.ts';

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: DeleteGroupsResponseVersions.min,
  maxVersion: DeleteGroupsResponseVersions.max,
  readRequest: readDeleteGroupsRequest,
  writeResponse: writeDeleteGroupsResponse,
  async handle(req, ctx) {
    return { throttleTimeMs: 0, results: await ctx.services.groups.deleteGroups(req.groupsNames) };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.groupsNames.map((groupId) => ({ groupId, errorCode })),
  }),
});
