/**
 * DeleteTopics (key 20), versions 0-6. Deletes by name (v0-5 topic_names, v6 topics[].name) or by
 * id (v6). The partitions' files are removed and the name can be reused at once; the topic's
 * committed offsets leave every group, and an Empty group left without offsets goes. Internal topics
 * cannot be deleted (INVALID_TOPIC_EXCEPTION). Authorization: DELETE on each topic, else
 * TOPIC_AUTHORIZATION_FAILED; by id, a topic the principal may not DESCRIBE stays UNKNOWN_TOPIC_ID.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DeleteTopicsRequest,
  readDeleteTopicsRequest,
} from '../../protocol/generated/messages/delete-topics-request.ts';
import {
  type DeleteTopicsResponse,
  type DeleteTopicsResponseDeletableTopicResult,
  writeDeleteTopicsResponse,
} from '../../protocol/generated/messages/delete-topics-response.ts';
import { canTopic, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import { ZERO_UUID } from '../topics.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(20, 0, 6);

function targets(req: DeleteTopicsRequest, v: number): { name: string | null; topicId: string }[] {
  if (v >= 6) return req.topics.map((t) => ({ name: t.name, topicId: t.topicId }));
  return req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}

export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  ...SERVES,
  name: 'DeleteTopics',
  readRequest: readDeleteTopicsRequest,
  writeResponse: writeDeleteTopicsResponse,
  async handle(req, ctx) {
    const { topics } = ctx.services;
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    for (const target of targets(req, ctx.apiVersion)) {
      const info = target.name ? topics.get(target.name) : topics.getById(target.topicId);
      const result = {
        name: target.name,
        topicId: target.topicId,
        errorCode: 0,
        errorMessage: null as string | null,
      };
      const name = target.name ?? info?.name;
      if (!target.name && info && !canTopic(ctx, Operation.DESCRIBE, info.name)) {
        result.errorCode = ErrorCode.UNKNOWN_TOPIC_ID;
      } else if (name !== undefined && !canTopic(ctx, Operation.DELETE, name)) {
        result.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      } else if (!info) {
        result.errorCode = target.name ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID;
      } else if (info.internal) {
        result.errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
        result.errorMessage = `Internal topic ${info.name} cannot be deleted`;
      } else {
        result.name = info.name;
        result.topicId = info.topicId;
        const quota = ctx.services.quotas.mutation(
          ctx.connection.principal,
          ctx.clientId,
          info.partitionCount,
          ctx.apiVersion >= 5,
        );
        ctx.throttle(quota.throttleMs);
        if (quota.allowed) {
          await topics.delete(info.name);
          // As Kafka: the topic's committed offsets leave every group (empty groups left bare go).
          await ctx.services.groups.onTopicsDeleted([info.name]);
        } else {
          result.errorCode = ErrorCode.THROTTLING_QUOTA_EXCEEDED;
          result.errorMessage = 'The throttling quota has been exceeded.';
        }
      }
      responses.push(result);
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(req, errorCode, version) {
    return {
      throttleTimeMs: 0,
      responses: targets(req, version).map((t) => ({ ...t, errorCode, errorMessage: null })),
    };
  },
});
