/**
 * EndTxn (key 26), versions 0-5. Commits or aborts: the coordinator records PrepareCommit/Abort,
 * writes the control batch to every partition of the transaction (and settles pending TxnOffsetCommit
 * offsets), records CompleteCommit/Abort, then answers. Retrying the completed outcome answers NONE;
 * the opposite outcome or no open transaction is INVALID_TXN_STATE. PRODUCER_FENCED is
 * INVALID_PRODUCER_EPOCH before v2. v5 returns the (unchanged) producer id and epoch.
 * Authorization: WRITE on the transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { type EndTxnRequest, readEndTxnRequest } from '../../protocol/generated/messages/end-txn-request.ts';
import {
  type EndTxnResponse,
  writeEndTxnResponse,
} from '../../protocol/generated/messages/end-txn-response.ts';
import { canTransactionalId, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import { fencedFor } from './22-init-producer-id.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(26, 0, 5);

export const endTxnHandler = defineHandler<EndTxnRequest, EndTxnResponse>({
  ...SERVES,
  name: 'EndTxn',
  readRequest: readEndTxnRequest,
  writeResponse: writeEndTxnResponse,
  async handle(req, ctx) {
    if (!canTransactionalId(ctx, Operation.WRITE, req.transactionalId)) {
      const errorCode = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
    }
    const r = await ctx.services.transactions.endTxn(
      req.transactionalId,
      Number(req.producerId),
      req.producerEpoch,
      req.committed,
    );
    return {
      throttleTimeMs: 0,
      errorCode: fencedFor(r.errorCode, ctx.apiVersion, 2),
      producerId: BigInt(r.producerId),
      producerEpoch: r.producerEpoch,
    };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }),
});
