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
  writeDeleteGroupsResponse,
} from '../../protocol/generated/messages/delete-groups-response.ts';
import { canGroup, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(42, 0, 2);

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  ...SERVES,
  name: 'DeleteGroups',
  readRequest: readDeleteGroupsRequest,
  writeResponse: writeDeleteGroupsResponse,
  async handle(req, ctx) {
    const allowed = req.groupsNames.filter((g) => canGroup(ctx, Operation.DELETE, g));
    const denied = req.groupsNames
      .filter((g) => !allowed.includes(g))
      .map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }));
    // Consumer-protocol (KIP-848) groups go if empty (NON_EMPTY_GROUP otherwise), with the offsets
    // kept under their id by the classic coordinator.
    const consumerGroups = ctx.services.consumerGroups;
    const refused: { groupId: string; errorCode: number }[] = [];
    const removed = new Set<string>();
    const classic = allowed.filter((g) => {
      if (!consumerGroups.has(g)) return true;
      const code = consumerGroups.delete(g);
      if (code !== ErrorCode.NONE) refused.push({ groupId: g, errorCode: code });
      else removed.add(g);
      return code === ErrorCode.NONE;
    });
    const deleted = classic.length > 0 ? await ctx.services.groups.deleteGroups(classic) : [];
    for (const d of deleted)
      if (removed.has(d.groupId) && d.errorCode === ErrorCode.GROUP_ID_NOT_FOUND)
        d.errorCode = ErrorCode.NONE;
    return { throttleTimeMs: 0, results: [...denied, ...refused, ...deleted] };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.groupsNames.map((groupId) => ({ groupId, errorCode })),
  }),
});
