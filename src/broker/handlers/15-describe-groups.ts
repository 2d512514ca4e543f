/**
 * DescribeGroups (key 15), versions 0-5: state, protocol type, chosen protocol and members (client
 * id, host, instance id, subscription metadata and assignment) of each group. Unknown groups are
 * reported in state Dead, as Kafka does. Authorization: DESCRIBE on each group, else
 * GROUP_AUTHORIZATION_FAILED for it.
 */

import {
  CONSUMER_PROTOCOL_TYPE,
  encodeAssignment,
  encodeSubscription,
} from '../../coordinator/consumer-protocol.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeGroupsRequest,
  readDescribeGroupsRequest,
} from '../../protocol/generated/messages/describe-groups-request.ts';
import {
  type DescribeGroupsResponse,
  writeDescribeGroupsResponse,
} from '../../protocol/generated/messages/describe-groups-response.ts';
import { authorizedOperations, canGroup, Operation, ResourceType } from '../authz.ts';
import { defineHandler, type RequestContext, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(15, 0, 5);

/**
 * A consumer-protocol (KIP-848) group as Kafka describes it to DescribeGroups: protocol type
 * "consumer", its state, and each member's current assignment in the classic ConsumerProtocol
 * encoding, so tools written for classic groups show both kinds.
 */
function describeConsumerGroup(ctx: RequestContext, groupId: string) {
  const g = ctx.services.consumerGroups.describe(groupId);
  if (!g) return undefined;
  const topics = ctx.services.topics;
  const named = (p: Map<string, number[]>) =>
    [...p.entries()]
      .filter(([, list]) => list.length > 0)
      .map(([id, partitions]) => ({ topic: topics.getById(id)?.name ?? id, partitions }));
  return {
    errorCode: 0,
    groupId,
    groupState: g.groupState,
    protocolType: CONSUMER_PROTOCOL_TYPE,
    protocolData: g.assignorName,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: encodeSubscription({ topics: m.subscribedTopicNames, rackId: m.rackId }),
      memberAssignment: encodeAssignment({ assignedPartitions: named(m.assignment) }),
    })),
  };
}

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  ...SERVES,
  name: 'DescribeGroups',
  readRequest: readDescribeGroupsRequest,
  writeResponse: writeDescribeGroupsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        if (!canGroup(ctx, Operation.DESCRIBE, groupId))
          return {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            groupId,
            groupState: '',
            protocolType: '',
            protocolData: '',
            members: [],
            authorizedOperations: -2147483648,
          };
        const ops =
          ctx.apiVersion >= 3 && req.includeAuthorizedOperations
            ? authorizedOperations(ctx, ResourceType.GROUP, groupId)
            : -2147483648;
        const consumer = describeConsumerGroup(ctx, groupId);
        if (consumer) return { ...consumer, authorizedOperations: ops };
        return { ...ctx.services.groups.describeGroup(groupId), authorizedOperations: ops };
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: -2147483648,
      })),
    };
  },
});
