/**
 * OffsetCommit (key 8), versions 0-9. Commits to a consumer-protocol group (KIP-848) are checked
 * against the member's epoch (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID). Classic groups: commits are checked against the group's generation and
 * member (generation -1 with an empty member id is a standalone/admin commit, allowed while the
 * group has no members), stored durably in __consumer_offsets with their metadata and leader epoch,
 * and acknowledged once written. v2-4 carry a retention time; v1's per-partition commit timestamp
 * is ignored as Kafka does. Authorization: READ on the group (else GROUP_AUTHORIZATION_FAILED for
 * every partition), then READ on each topic (TOPIC_AUTHORIZATION_FAILED for that topic's partitions).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type OffsetCommitRequest,
  readOffsetCommitRequest,
} from '../../protocol/generated/messages/offset-commit-request.ts';
import {
  type OffsetCommitResponse,
  writeOffsetCommitResponse,
} from '../../protocol/generated/messages/offset-commit-response.ts';
import { byTopicAccess, canGroup, Operation, topicDenied } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(8, 0, 9);

function failAll(req: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  ...SERVES,
  name: 'OffsetCommit',
  readRequest: readOffsetCommitRequest,
  writeResponse: writeOffsetCommitResponse,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    if (!canGroup(ctx, Operation.READ, req.groupId))
      return failAll(req, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const { allowed, denied } = byTopicAccess(ctx, Operation.READ, req.topics);
    // A consumer-protocol (KIP-848) group: the member's epoch must be current; the offsets are
    // then stored as a standalone commit under the same group id.
    const consumerGroup = ctx.services.consumerGroups.has(req.groupId);
    if (consumerGroup) {
      const code = ctx.services.consumerGroups.validateOffsetAccess(
        req.groupId,
        v >= 1 ? req.memberId : '',
        v >= 1 ? req.generationIdOrMemberEpoch : -1,
        true,
      );
      if (code !== ErrorCode.NONE) return failAll(req, code);
    }
    const r = await ctx.services.groups.commitOffsets(
      req.groupId,
      v >= 1 && !consumerGroup ? req.generationIdOrMemberEpoch : -1,
      v >= 1 && !consumerGroup ? req.memberId : '',
      v >= 7 && !consumerGroup ? req.groupInstanceId : null,
      allowed.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
      { apiVersion: v, retentionTimeMs: v >= 2 && v <= 4 ? req.retentionTimeMs : -1n },
    );
    return { throttleTimeMs: 0, topics: [...topicDenied(denied), ...r.topics] };
  },
  errorResponse: failAll,
});
