/**
 * ConsumerGroupDescribe (key 69), version 0: groups of the consumer group protocol with their
 * epochs, assignor, and each member's subscription, current and target assignment (topic ids with
 * names). A group id that is not such a group answers GROUP_ID_NOT_FOUND. Authorization: DESCRIBE
 * on each group (GROUP_AUTHORIZATION_FAILED); authorized operations are not computed (-2^31).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type ConsumerGroupDescribeRequest,
  readConsumerGroupDescribeRequest,
} from '../../protocol/generated/messages/consumer-group-describe-request.ts';
import {
  type ConsumerGroupDescribeResponse,
  writeConsumerGroupDescribeResponse,
} from '../../protocol/generated/messages/consumer-group-describe-response.ts';
import { canGroup, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(69, 0, 0);

const NOT_COMPUTED = -2147483648;

function empty(groupId: string, errorCode: number, errorMessage: string | null) {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: -1,
    assignmentEpoch: -1,
    assignorName: '',
    members: [],
    authorizedOperations: NOT_COMPUTED,
  };
}

export const consumerGroupDescribeHandler = defineHandler<
  ConsumerGroupDescribeRequest,
  ConsumerGroupDescribeResponse
>({
  ...SERVES,
  name: 'ConsumerGroupDescribe',
  readRequest: readConsumerGroupDescribeRequest,
  writeResponse: writeConsumerGroupDescribeResponse,
  handle(req, ctx) {
    const topics = ctx.services.topics;
    const partitions = (p: Map<string, number[]>) => ({
      topicPartitions: [...p.entries()]
        .filter(([, list]) => list.length > 0)
        .map(([topicId, list]) => ({
          topicId,
          topicName: topics.getById(topicId)?.name ?? '',
          partitions: [...list].sort((a, b) => a - b),
        })),
    });
    return {
      throttleTimeMs: 0,
      groups: req.groupIds.map((groupId) => {
        if (!canGroup(ctx, Operation.DESCRIBE, groupId))
          return empty(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Group authorization failed.');
        const g = ctx.services.consumerGroups.describe(groupId);
        if (!g) return empty(groupId, ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
        return {
          errorCode: 0,
          errorMessage: null,
          groupId,
          groupState: g.groupState,
          groupEpoch: g.groupEpoch,
          assignmentEpoch: g.assignmentEpoch,
          assignorName: g.assignorName,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            instanceId: m.instanceId,
            rackId: m.rackId,
            memberEpoch: m.memberEpoch,
            clientId: m.clientId,
            clientHost: m.clientHost,
            subscribedTopicNames: m.subscribedTopicNames,
            subscribedTopicRegex: m.subscribedTopicRegex,
            assignment: partitions(m.assignment),
            targetAssignment: partitions(m.targetAssignment),
          })),
          authorizedOperations: NOT_COMPUTED,
        };
      }),
    };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    groups: req.groupIds.map((g) => empty(g, errorCode, null)),
  }),
});
