/**
 * DescribeProducers (key 61), version 0. Per partition: the active producers from the partition's
 * producer state — id, epoch, last sequence, last timestamp, coordinator epoch and the first offset
 * of the open transaction (-1 when none). Authorization: READ on each topic, else
 * TOPIC_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeProducersRequest,
  readDescribeProducersRequest,
} from '../../protocol/generated/messages/describe-producers-request.ts';
import {
  type DescribeProducersResponse,
  writeDescribeProducersResponse,
} from '../../protocol/generated/messages/describe-producers-response.ts';
import { canTopic, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(61, 0, 0);

export const describeProducersHandler = defineHandler<DescribeProducersRequest, DescribeProducersResponse>({
  ...SERVES,
  name: 'DescribeProducers',
  readRequest: readDescribeProducersRequest,
  writeResponse: writeDescribeProducersResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const denied = !canTopic(ctx, Operation.READ, t.name);
          const log = denied ? undefined : ctx.services.topics.partition(t.name, partitionIndex);
          if (!log) {
            return {
              partitionIndex,
              errorCode: denied ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: null,
              activeProducers: [],
            };
          }
          const activeProducers = [...log.producers.producers.values()].map((p) => ({
            producerId: BigInt(p.producerId),
            producerEpoch: p.epoch,
            lastSequence: p.batches[p.batches.length - 1]?.lastSeq ?? -1,
            lastTimestamp: BigInt(p.lastTimestamp),
            coordinatorEpoch: p.coordinatorEpoch,
            currentTxnStartOffset: BigInt(p.currentTxnFirstOffset),
          }));
          return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
        }),
      })),
    };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        errorCode,
        errorMessage: null,
        activeProducers: [],
      })),
    })),
  }),
});
