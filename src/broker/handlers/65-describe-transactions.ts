/**
 * DescribeTransactions (key 65), version 0. State, timeout, start time, producer id/epoch and
 * partitions of each transactional id; unknown ids get TRANSACTIONAL_ID_NOT_FOUND. Authorization:
 * DESCRIBE on each transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeTransactionsRequest,
  readDescribeTransactionsRequest,
} from '../../protocol/generated/messages/describe-transactions-request.ts';
import {
  type DescribeTransactionsResponse,
  writeDescribeTransactionsResponse,
} from '../../protocol/generated/messages/describe-transactions-response.ts';
import { canTransactionalId, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(65, 0, 0);

export const describeTransactionsHandler = defineHandler<
  DescribeTransactionsRequest,
  DescribeTransactionsResponse
>({
  ...SERVES,
  name: 'DescribeTransactions',
  readRequest: readDescribeTransactionsRequest,
  writeResponse: writeDescribeTransactionsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => {
        const denied = !canTransactionalId(ctx, Operation.DESCRIBE, id);
        const m = denied ? undefined : ctx.services.transactions.get(id);
        if (m === undefined) {
          return {
            errorCode: denied
              ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
              : ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
            transactionalId: id,
            transactionState: '',
            transactionTimeoutMs: 0,
            transactionStartTimeMs: -1n,
            producerId: -1n,
            producerEpoch: -1,
            topics: [],
          };
        }
        return {
          errorCode: ErrorCode.NONE,
          transactionalId: id,
          transactionState: m.state,
          transactionTimeoutMs: m.timeoutMs,
          transactionStartTimeMs: BigInt(m.startTimestamp),
          producerId: BigInt(m.producerId),
          producerEpoch: m.producerEpoch,
          topics: [...m.partitions].map(([topic, ps]) => ({ topic, partitions: [...ps] })),
        };
      }),
    };
  },
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    transactionStates: req.transactionalIds.map((transactionalId) => ({
      errorCode,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1n,
      producerId: -1n,
      producerEpoch: -1,
      topics: [],
    })),
  }),
});
