/**
 * AddPartitionsToTxn (key 24), versions 0-5. v0-3: one transaction from a producer; v4+: the batched
 * form (several transactions, verify_only for broker-side verification). Unknown topics/partitions
 * fail with UNKNOWN_TOPIC_OR_PARTITION and the rest of that transaction with OPERATION_NOT_ATTEMPTED;
 * otherwise every partition gets the coordinator's answer (INVALID_PRODUCER_ID_MAPPING,
 * PRODUCER_FENCED — INVALID_PRODUCER_EPOCH before v2 —, CONCURRENT_TRANSACTIONS, ...).
 * Authorization (clients, v0-3): WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED
 * for every partition), then WRITE on each topic (TOPIC_AUTHORIZATION_FAILED, the rest
 * OPERATION_NOT_ATTEMPTED). v4+ is broker-to-broker: CLUSTER_ACTION on the cluster.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnRequestAddPartitionsToTxnTopic,
  readAddPartitionsToTxnRequest,
} from '../../protocol/generated/messages/add-partitions-to-txn-request.ts';
import {
  type AddPartitionsToTxnResponse,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
  writeAddPartitionsToTxnResponse,
} from '../../protocol/generated/messages/add-partitions-to-txn-response.ts';
import { canCluster, canTopic, canTransactionalId, Operation } from '../authz.ts';
import { defineHandler, type RequestContext, serves } from '../handler.ts';
import { fencedFor } from './22-init-producer-id.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(24, 0, 5);

function results(
  topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[],
  code: (topic: string, partition: number) => number,
): AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[] {
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })),
  }));
}

async function addOne(
  ctx: RequestContext,
  txnId: string,
  producerId: bigint,
  epoch: number,
  topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[],
  verifyOnly: boolean,
): Promise<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[]> {
  if (ctx.apiVersion <= 3) {
    if (!canTransactionalId(ctx, Operation.WRITE, txnId))
      return results(topics, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const denied = new Set(topics.filter((t) => !canTopic(ctx, Operation.WRITE, t.name)).map((t) => t.name));
    if (denied.size > 0)
      return results(topics, (t) =>
        denied.has(t) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED,
      );
  }
  const known = (t: string, p: number) => ctx.services.topics.partition(t, p) !== undefined;
  if (topics.some((t) => t.partitions.some((p) => !known(t.name, p)))) {
    return results(topics, (t, p) =>
      known(t, p) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  }
  const partitions = topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const code = await ctx.services.transactions.addPartitions(
    txnId,
    Number(producerId),
    epoch,
    partitions,
    verifyOnly,
  );
  const mapped = fencedFor(code, ctx.apiVersion, 2);
  return results(topics, () => mapped);
}

export const addPartitionsToTxnHandler = defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(
  {
    ...SERVES,
    name: 'AddPartitionsToTxn',
    readRequest: readAddPartitionsToTxnRequest,
    writeResponse: writeAddPartitionsToTxnResponse,
    async handle(req, ctx) {
      const res: AddPartitionsToTxnResponse = {
        throttleTimeMs: 0,
        errorCode: 0,
        resultsByTransaction: [],
        resultsByTopicV3AndBelow: [],
      };
      if (ctx.apiVersion >= 4 && !canCluster(ctx, Operation.CLUSTER_ACTION)) {
        res.errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
        return res;
      }
      if (ctx.apiVersion <= 3) {
        res.resultsByTopicV3AndBelow = await addOne(
          ctx,
          req.v3AndBelowTransactionalId,
          req.v3AndBelowProducerId,
          req.v3AndBelowProducerEpoch,
          req.v3AndBelowTopics,
          false,
        );
        return res;
      }
      for (const t of req.transactions) {
        res.resultsByTransaction.push({
          transactionalId: t.transactionalId,
          topicResults: await addOne(
            ctx,
            t.transactionalId,
            t.producerId,
            t.producerEpoch,
            t.topics,
            t.verifyOnly,
          ),
        });
      }
      return res;
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      errorCode,
      resultsByTransaction: [],
      resultsByTopicV3AndBelow: results(req.v3AndBelowTopics, () => errorCode),
    }),
  },
);
