/**
 * OffsetDelete (key 47), version 0. Deletes committed offsets of a group; refused with
 * GROUP_SUBSCRIBED_TO_TOPIC for topics an active member subscribes to.
 */
import {
  type OffsetDeleteRequest,
  readOffsetDeleteRequest,
} from '../../protocol/generated/messages/offset-delete-request.ts';
import {
  type OffsetDeleteResponse,
  OffsetDeleteResponseVersions,
  writeOffsetDeleteResponse,
} from '../../protocol/generated/messages/offset-delete-response.ts';
import { defineHandler } from '../handler.ts';

export const offsetDeleteHandler = defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: 47,
  name: 'OffsetDelete',
  minVersion: OffsetDeleteResponseVersions.min,
  maxVersion: OffsetDeleteResponseVersions.max,
  readRequest: readOffsetDeleteRequest,
  writeResponse: writeOffsetDeleteResponse,
  async handle(req, ctx) {
    const r = await ctx.services.groups.deleteOffsets(req.groupId, req.topics);
    return { errorCode: r.errorCode, throttleTimeMs: 0, topics: r.topics };
  },
  errorResponse: (_req, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
});
