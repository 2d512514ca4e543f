/**
 * JoinGroup (key 11), versions 0-9, classic protocol. The response is held until the rebalance
 * completes (or the member must retry). v4+: an unknown member joining without an id gets
 * MEMBER_ID_REQUIRED with an id to rejoin with (KIP-394); v5+: static membership via
 * group.instance.id (KIP-345); v0 has no rebalance timeout (the session timeout is used).
 * Authorization: READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type JoinGroupRequest,
  readJoinGroupRequest,
} from '../../protocol/generated/messages/join-group-request.ts';
import {
  type JoinGroupResponse,
  writeJoinGroupResponse,
} from '../../protocol/generated/messages/join-group-response.ts';
import { canGroup, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(11, 0, 9);

function failed(req: JoinGroupRequest, errorCode: number): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId: req.memberId,
    members: [],
  };
}

export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponse>({
  ...SERVES,
  name: 'JoinGroup',
  readRequest: readJoinGroupRequest,
  writeResponse: writeJoinGroupResponse,
  async handle(req, ctx) {
    if (!canGroup(ctx, Operation.READ, req.groupId)) return failed(req, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    // A consumer-protocol (KIP-848) group: classic members may take it over only once it is empty.
    const consumerGroups = ctx.services.consumerGroups;
    if (consumerGroups.has(req.groupId) && consumerGroups.delete(req.groupId) !== ErrorCode.NONE)
      return failed(req, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const r = await ctx.services.groups.joinGroup({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: ctx.apiVersion >= 5 ? req.groupInstanceId : null,
      clientId: ctx.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress}`,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: ctx.apiVersion >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      apiVersion: ctx.apiVersion,
      reason: req.reason,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      protocolName: r.protocolName,
      leader: r.leader,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members,
    };
  },
  errorResponse: failed,
});
