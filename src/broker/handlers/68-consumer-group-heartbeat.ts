/**
 * ConsumerGroupHeartbeat (key 68), versions 0-1: joining, heartbeating in and leaving a group of
 * the consumer group protocol (KIP-848); the coordinator (coordinator/consumer-group/) answers
 * with the member's epoch and, when it changed, its assignment. Version 1 clients name their own
 * member id (KIP-1082); version 0 ones get one generated when they send none. A group id used by a
 * classic group with members answers GROUP_ID_NOT_FOUND (no online migration). The answer waits
 * for the group's changes to be durable in __consumer_offsets. Authorization: READ
 * on the group (GROUP_AUTHORIZATION_FAILED); topics the member may not describe are left out of
 * its subscription.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type ConsumerGroupHeartbeatRequest,
  readConsumerGroupHeartbeatRequest,
} from '../../protocol/generated/messages/consumer-group-heartbeat-request.ts';
import {
  type ConsumerGroupHeartbeatResponse,
  writeConsumerGroupHeartbeatResponse,
} from '../../protocol/generated/messages/consumer-group-heartbeat-response.ts';
import { canGroup, canTopic, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(68, 0, 1);

function failed(errorCode: number, errorMessage: string | null): ConsumerGroupHeartbeatResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    memberId: null,
    memberEpoch: -1,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

export const consumerGroupHeartbeatHandler = defineHandler<
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse
>({
  ...SERVES,
  name: 'ConsumerGroupHeartbeat',
  readRequest: readConsumerGroupHeartbeatRequest,
  writeResponse: writeConsumerGroupHeartbeatResponse,
  async handle(req, ctx) {
    if (!canGroup(ctx, Operation.READ, req.groupId))
      return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Group authorization failed.');
    const classic = ctx.services.groups.describeGroup(req.groupId);
    if (classic.groupState !== 'Dead' && classic.groupState !== 'Empty' && classic.members.length > 0)
      return failed(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
    const names = req.subscribedTopicNames?.filter((t) => canTopic(ctx, Operation.DESCRIBE, t)) ?? null;
    const out = ctx.services.consumerGroups.heartbeat({
      groupId: req.groupId,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      instanceId: req.instanceId,
      rackId: req.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: names,
      subscribedTopicRegex: req.subscribedTopicRegex,
      serverAssignor: req.serverAssignor,
      topicPartitions: req.topicPartitions,
      clientId: ctx.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress}`,
    });
    try {
      await ctx.services.consumerGroups.persist(req.groupId);
    } catch {
      return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The group state could not be written.');
    }
    return { throttleTimeMs: 0, ...out };
  },
  errorResponse: (_req, errorCode) => failed(errorCode, null),
});
