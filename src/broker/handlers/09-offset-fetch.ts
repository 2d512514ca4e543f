/**
 * OffsetFetch (key 9), versions 0-9. Returns committed offsets with their metadata and leader
 * epoch (-1 for partitions never committed); a null topic list (v2+) returns every committed
 * partition of the group. v8+ fetches for several groups in one request. Group-level errors go in
 * the top-level error code from v2 and in each partition before that. Authorization: DESCRIBE on
 * the group (else GROUP_AUTHORIZATION_FAILED), and on each topic: named topics the principal may not
 * DESCRIBE answer TOPIC_AUTHORIZATION_FAILED per partition, and are left out of "all topics".
 * With require_stable (v7+), a partition with a pending transactional offset commit answers
 * UNSTABLE_OFFSET_COMMIT until its transaction ends.
 */

import type { OffsetFetchResult, OffsetFetchTopic } from '../../coordinator/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type OffsetFetchRequest,
  readOffsetFetchRequest,
} from '../../protocol/generated/messages/offset-fetch-request.ts';
import {
  type OffsetFetchResponse,
  writeOffsetFetchResponse,
} from '../../protocol/generated/messages/offset-fetch-response.ts';
import { canGroup, canTopic, Operation } from '../authz.ts';
import { defineHandler, type RequestContext, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(9, 0, 9);

/** True for a partition with a transactional offset commit not yet committed or aborted. */
type Unstable = (topic: string, partition: number) => boolean;

function shape(r: OffsetFetchResult, v: number, unstable: Unstable) {
  return r.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const pending = p.errorCode === ErrorCode.NONE && unstable(t.name, p.partitionIndex);
      return {
        partitionIndex: p.partitionIndex,
        committedOffset: pending ? -1n : p.committedOffset,
        committedLeaderEpoch: pending ? -1 : p.committedLeaderEpoch,
        metadata: p.metadata,
        errorCode: pending
          ? ErrorCode.UNSTABLE_OFFSET_COMMIT
          : v < 2 && r.errorCode !== ErrorCode.NONE
            ? r.errorCode
            : p.errorCode,
      };
    }),
  }));
}

/** The group's committed offsets the principal may see (Kafka's authorization rules for OffsetFetch). */
function fetchAuthorized(
  ctx: RequestContext,
  groupId: string,
  topics: OffsetFetchTopic[] | null,
): OffsetFetchResult {
  const failed = (list: OffsetFetchTopic[], errorCode: number) =>
    list.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1n,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode,
      })),
    }));
  if (!canGroup(ctx, Operation.DESCRIBE, groupId)) {
    const errorCode = ErrorCode.GROUP_AUTHORIZATION_FAILED;
    return { errorCode, topics: failed(topics ?? [], errorCode) };
  }
  const visible = (name: string): boolean => canTopic(ctx, Operation.DESCRIBE, name);
  if (topics === null) {
    const r = ctx.services.groups.fetchOffsets(groupId, null);
    return { ...r, topics: r.topics.filter((t) => visible(t.name)) };
  }
  const denied = topics.filter((t) => !visible(t.name));
  if (denied.length === 0) return ctx.services.groups.fetchOffsets(groupId, topics);
  const r = ctx.services.groups.fetchOffsets(
    groupId,
    topics.filter((t) => visible(t.name)),
  );
  return { ...r, topics: [...r.topics, ...failed(denied, ErrorCode.TOPIC_AUTHORIZATION_FAILED)] };
}

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  ...SERVES,
  name: 'OffsetFetch',
  readRequest: readOffsetFetchRequest,
  writeResponse: writeOffsetFetchResponse,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    // require_stable (v7+): partitions with pending transactional offsets answer
    // UNSTABLE_OFFSET_COMMIT so the consumer retries instead of reading a stale position.
    const unstableFor =
      (groupId: string): Unstable =>
      (topic, partition) =>
        v >= 7 &&
        req.requireStable &&
        ctx.services.groups.hasPendingTransactionalOffset(groupId, topic, partition);
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        topics: [],
        errorCode: 0,
        groups: req.groups.map((g) => {
          // v9 consumer-protocol members fetch with their epoch, which must be current.
          if (v >= 9 && g.memberId !== null && ctx.services.consumerGroups.has(g.groupId)) {
            const code = ctx.services.consumerGroups.validateOffsetAccess(
              g.groupId,
              g.memberId,
              g.memberEpoch,
              false,
            );
            if (code !== ErrorCode.NONE) return { groupId: g.groupId, topics: [], errorCode: code };
          }
          const r = fetchAuthorized(ctx, g.groupId, g.topics);
          return { groupId: g.groupId, topics: shape(r, v, unstableFor(g.groupId)), errorCode: r.errorCode };
        }),
      };
    }
    const topics = v < 2 && req.topics === null ? [] : req.topics;
    const r = fetchAuthorized(ctx, req.groupId, topics);
    return {
      throttleTimeMs: 0,
      topics: shape(r, v, unstableFor(req.groupId)),
      errorCode: v >= 2 ? r.errorCode : 0,
      groups: [],
    };
  },
  errorResponse(req, errorCode, version) {
    // v0-1 have no top-level code and v8+ answer per group: the error goes where the version has it.
    const partition = (partitionIndex: number) => ({
      partitionIndex,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode,
    });
    const topics = (req.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map(partition),
    }));
    const groups = req.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode }));
    return { throttleTimeMs: 0, topics: version < 2 ? topics : [], errorCode, groups };
  },
});
