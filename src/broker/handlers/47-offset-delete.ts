/**
 * OffsetDelete (key 47), version 0. Deletes committed offsets of a group; refused with
 * GROUP_SUBSCRIBED_TO_TOPIC for topics an active member subscribes to. Authorization: DELETE on the
 * group (else GROUP_AUTHORIZATION_FAILED), READ on each topic (else TOPIC_AUTHORIZATION_FAILED for
 * its partitions).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type OffsetDeleteRequest,
  readOffsetDeleteRequest,
} from '../../protocol/generated/messages/offset-delete-request.ts';
import {
  type OffsetDeleteResponse,
  writeOffsetDeleteResponse,
} from '../../protocol/generated/messages/offset-delete-response.ts';
import { byTopicAccess, canGroup, Operation, topicDenied } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(47, 0, 0);

export const offsetDeleteHandler = defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  ...SERVES,
  name: 'OffsetDelete',
  readRequest: readOffsetDeleteRequest,
  writeResponse: writeOffsetDeleteResponse,
  async handle(req, ctx) {
    if (!canGroup(ctx, Operation.DELETE, req.groupId))
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const { allowed, denied } = byTopicAccess(ctx, Operation.READ, req.topics);
    const r = await ctx.services.groups.deleteOffsets(req.groupId, allowed);
    return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [...topicDenied(denied), ...r.topics] };
  },
  errorResponse: (_req, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
});
