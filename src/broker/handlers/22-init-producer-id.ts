/**
 * InitProducerId (key 22), versions 0-5. Without a transactional id: a fresh producer id at epoch 0
 * (idempotent producers; a KIP-360 bump request also gets a fresh id, as in Kafka). With one: the
 * transaction coordinator creates the id or bumps its epoch, aborting an open transaction first
 * (fencing the previous instance). transaction_timeout_ms above transaction.max.timeout.ms (900000)
 * → INVALID_TRANSACTION_TIMEOUT. v3+ producer id/epoch (KIP-360) are checked; PRODUCER_FENCED is
 * answered as INVALID_PRODUCER_EPOCH before v4 (KIP-588). Authorization: WRITE on the
 * transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without one, IDEMPOTENT_WRITE on the
 * cluster or WRITE on some topic (CLUSTER_AUTHORIZATION_FAILED).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type InitProducerIdRequest,
  readInitProducerIdRequest,
} from '../../protocol/generated/messages/init-producer-id-request.ts';
import {
  type InitProducerIdResponse,
  writeInitProducerIdResponse,
} from '../../protocol/generated/messages/init-producer-id-response.ts';
import { canTransactionalId, canWriteIdempotently, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(22, 0, 5);

/** KIP-588: PRODUCER_FENCED exists from the given version on; older clients get INVALID_PRODUCER_EPOCH. */
export function fencedFor(errorCode: number, version: number, fencedSince: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < fencedSince
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  ...SERVES,
  name: 'InitProducerId',
  readRequest: readInitProducerIdRequest,
  writeResponse: writeInitProducerIdResponse,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const denied =
      req.transactionalId === null
        ? canWriteIdempotently(ctx)
          ? null
          : ErrorCode.CLUSTER_AUTHORIZATION_FAILED
        : canTransactionalId(ctx, Operation.WRITE, req.transactionalId)
          ? null
          : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    if (denied !== null) return { throttleTimeMs: 0, errorCode: denied, producerId: -1n, producerEpoch: -1 };
    const expected =
      v >= 3 && req.producerId >= 0n
        ? { producerId: Number(req.producerId), epoch: req.producerEpoch }
        : null;
    const r = await ctx.services.transactions.initProducerId(
      req.transactionalId,
      req.transactionTimeoutMs,
      expected,
    );
    return {
      throttleTimeMs: 0,
      errorCode: fencedFor(r.errorCode, v, 4),
      producerId: BigInt(r.producerId),
      producerEpoch: r.producerEpoch,
    };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }),
});
