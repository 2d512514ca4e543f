/**
 * TxnOffsetCommit (key 28), versions 0-4. Offsets of a consume-transform-produce transaction: written
 * to __consumer_offsets as part of the producer's transaction and applied to the group only when the
 * transaction commits (dropped on abort). The producer must have added the group (AddOffsetsToTxn):
 * otherwise INVALID_TXN_STATE; a stale epoch is PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v3).
 * v3+ member id / generation are checked like OffsetCommit's. Authorization: WRITE on the
 * transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on the group
 * (GROUP_AUTHORIZATION_FAILED), READ on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  readTxnOffsetCommitRequest,
  type TxnOffsetCommitRequest,
} from '../../protocol/generated/messages/txn-offset-commit-request.ts';
import {
  type TxnOffsetCommitResponse,
  writeTxnOffsetCommitResponse,
} from '../../protocol/generated/messages/txn-offset-commit-response.ts';
import { byTopicAccess, canGroup, canTransactionalId, Operation, topicDenied } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import { OFFSETS_TOPIC } from '../offsets-topic.ts';
import { fencedFor } from './22-init-producer-id.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(28, 0, 4);

function all(req: TxnOffsetCommitRequest, errorCode: number): TxnOffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

export const txnOffsetCommitHandler = defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  ...SERVES,
  name: 'TxnOffsetCommit',
  readRequest: readTxnOffsetCommitRequest,
  writeResponse: writeTxnOffsetCommitResponse,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    if (!canTransactionalId(ctx, Operation.WRITE, req.transactionalId))
      return all(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (!canGroup(ctx, Operation.READ, req.groupId)) return all(req, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const { allowed, denied } = byTopicAccess(ctx, Operation.READ, req.topics);
    const txn = ctx.services.transactions.get(req.transactionalId);
    const pid = Number(req.producerId);
    if (txn === undefined || txn.producerId !== pid) return all(req, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (txn.producerEpoch !== req.producerEpoch) return all(req, fencedFor(ErrorCode.PRODUCER_FENCED, v, 3));
    if (txn.state !== 'Ongoing' || !txn.partitions.get(OFFSETS_TOPIC)?.has(0)) {
      return all(req, ErrorCode.INVALID_TXN_STATE);
    }
    const r = await ctx.services.groups.commitTxnOffsets({
      groupId: req.groupId,
      producerId: pid,
      producerEpoch: req.producerEpoch,
      generationId: v >= 3 ? req.generationId : -1,
      memberId: v >= 3 ? req.memberId : '',
      groupInstanceId: v >= 3 ? req.groupInstanceId : null,
      topics: allowed.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: v >= 2 ? p.committedLeaderEpoch : -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
    });
    return { throttleTimeMs: 0, topics: [...topicDenied(denied), ...r.topics] };
  },
  errorResponse: (req, errorCode) => all(req, errorCode),
});
