/**
 * OffsetFetch (key 9), versions 0-9. Returns committed offsets with their metadata and leader
 * epoch (-1 for partitions never committed); a null topic list (v2+) returns every committed
 * partition of the group. v8+ fetches for several groups in one request. Group-level errors go in
 * the top-level error code from v2 and in each partition before that.
 */

import type { OffsetFetchResult } from '../../coordinator/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type OffsetFetchRequest,
  readOffsetFetchRequest,
} from '../../protocol/generated/messages/offset-fetch-request.ts';
import {
  type OffsetFetchResponse,
  OffsetFetchResponseVersions,
  writeOffsetFetchResponse,
} from '../../protocol/generated/messages/offset-fetch-response.ts';
import { defineHandler } from '../handler.ts';

function shape(r: OffsetFetchResult, v: number) {
  return r.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      committedOffset: p.committedOffset,
      committedLeaderEpoch: p.committedLeaderEpoch,
      metadata: p.metadata,
      errorCode: v < 2 && r.errorCode !== ErrorCode.NONE ? r.errorCode : p.errorCode,
    })),
  }));
}

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: OffsetFetchResponseVersions.min,
  maxVersion: OffsetFetchResponseVersions.max,
  readRequest: readOffsetFetchRequest,
  writeResponse: writeOffsetFetchResponse,
  handle(req, ctx) {
    const v = ctx.apiVersion;
    const groups = ctx.services.groups;
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        topics: [],
        errorCode: 0,
        groups: req.groups.map((g) => {
          const r = groups.fetchOffsets(g.groupId, g.topics);
          return { groupId: g.groupId, topics: shape(r, v), errorCode: r.errorCode };
        }),
      };
    }
    const topics = v < 2 && req.topics === null ? [] : req.topics;
    const r = groups.fetchOffsets(req.groupId, topics);
    return { throttleTimeMs: 0, topics: shape(r, v), errorCode: v >= 2 ? r.errorCode : 0, groups: [] };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, topics: [], errorCode, groups: [] }),
});
