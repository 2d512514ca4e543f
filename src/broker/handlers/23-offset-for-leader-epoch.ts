/**
 * OffsetForLeaderEpoch (key 23), versions 0-4. Consumers call it after metadata changes to check
 * that their position is still on the log (KIP-320). A single node never changes leader, so every
 * partition has leader epoch 0: epoch 0 ends at the log end offset; an unknown (later or negative)
 * epoch answers epoch -1 / offset -1 without error, as Kafka does. A current_leader_epoch (v2+)
 * above 0 is UNKNOWN_LEADER_EPOCH. Unknown partitions: UNKNOWN_TOPIC_OR_PARTITION.
 * Follower requests (replica_id >= 0, v3+) are answered the same way. Authorization: CLUSTER_ACTION
 * on the cluster, or else DESCRIBE on each topic (TOPIC_AUTHORIZATION_FAILED).
 */
import { LEADER_EPOCH } from '../../log/segment.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type OffsetForLeaderEpochRequest,
  readOffsetForLeaderEpochRequest,
} from '../../protocol/generated/messages/offset-for-leader-epoch-request.ts';
import {
  type OffsetForLeaderEpochResponse,
  type OffsetForLeaderEpochResponseEpochEndOffset,
  writeOffsetForLeaderEpochResponse,
} from '../../protocol/generated/messages/offset-for-leader-epoch-response.ts';
import { canCluster, canTopic, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(23, 0, 4);

function endOffset(
  partition: number,
  errorCode: number,
  leaderEpoch = -1,
  offset = -1,
): OffsetForLeaderEpochResponseEpochEndOffset {
  return { errorCode, partition, leaderEpoch, endOffset: BigInt(offset) };
}

export const offsetForLeaderEpochHandler = defineHandler<
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse
>({
  ...SERVES,
  name: 'OffsetForLeaderEpoch',
  readRequest: readOffsetForLeaderEpochRequest,
  writeResponse: writeOffsetForLeaderEpochResponse,
  handle(req, ctx) {
    const { topics } = ctx.services;
    const clusterAction = canCluster(ctx, Operation.CLUSTER_ACTION);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          if (!clusterAction && !canTopic(ctx, Operation.DESCRIBE, t.topic))
            return endOffset(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          const log = topics.get(t.topic) ? topics.partition(t.topic, p.partition) : undefined;
          if (!log) return endOffset(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (p.currentLeaderEpoch > LEADER_EPOCH)
            return endOffset(p.partition, ErrorCode.UNKNOWN_LEADER_EPOCH);
          if (p.leaderEpoch !== LEADER_EPOCH) return endOffset(p.partition, ErrorCode.NONE);
          return endOffset(p.partition, ErrorCode.NONE, LEADER_EPOCH, log.logEndOffset);
        }),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => endOffset(p.partition, errorCode)),
      })),
    };
  },
});
