/**
 * ListGroups (key 16), versions 0-5: every group with its protocol type; v4+ with its state and an
 * optional state filter, v5+ with its type ("classic", or "consumer" for KIP-848 groups) and a type filter. Authorization:
 * DESCRIBE on the cluster lists every group, otherwise only the groups the principal may DESCRIBE
 * (never an error); tenants always see only their own.
 */
import {
  type ListGroupsRequest,
  readListGroupsRequest,
} from '../../protocol/generated/messages/list-groups-request.ts';
import {
  type ListGroupsResponse,
  writeListGroupsResponse,
} from '../../protocol/generated/messages/list-groups-response.ts';
import { canDescribeAll, canGroup, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(16, 0, 5);

export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponse>({
  ...SERVES,
  name: 'ListGroups',
  readRequest: readListGroupsRequest,
  writeResponse: writeListGroupsResponse,
  handle(req, ctx) {
    const r = ctx.services.groups.listGroups(req.statesFilter, req.typesFilter);
    // Consumer-protocol (KIP-848) groups, type "consumer"; their offsets live under an empty
    // classic group of the same id, which is not listed.
    const cg = ctx.services.consumerGroups;
    const types = new Set(req.typesFilter.map((t) => t.toLowerCase()));
    const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
    const consumer =
      types.size > 0 && !types.has('consumer')
        ? []
        : cg
            .list()
            .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
            .map((g) => ({
              groupId: g.groupId,
              protocolType: 'consumer',
              groupState: g.state,
              groupType: 'consumer',
            }));
    const all = [...r.groups.filter((g) => !cg.has(g.groupId)), ...consumer];
    const groups = canDescribeAll(ctx)
      ? all
      : all.filter((g) => canGroup(ctx, Operation.DESCRIBE, g.groupId));
    return { throttleTimeMs: 0, errorCode: r.errorCode, groups };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
});
