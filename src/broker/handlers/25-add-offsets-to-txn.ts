/**
 * AddOffsetsToTxn (key 25), versions 0-4. Adds the group's __consumer_offsets partition to the
 * transaction so its COMMIT/ABORT marker also settles the TxnOffsetCommit offsets. PRODUCER_FENCED is
 * INVALID_PRODUCER_EPOCH before v2. Authorization: WRITE on the transactional id
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then READ on the group (GROUP_AUTHORIZATION_FAILED).
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type AddOffsetsToTxnRequest,
  readAddOffsetsToTxnRequest,
} from '../../protocol/generated/messages/add-offsets-to-txn-request.ts';
import {
  type AddOffsetsToTxnResponse,
  writeAddOffsetsToTxnResponse,
} from '../../protocol/generated/messages/add-offsets-to-txn-response.ts';
import { canGroup, canTransactionalId, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import { OFFSETS_TOPIC } from '../offsets-topic.ts';
import { fencedFor } from './22-init-producer-id.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(25, 0, 4);

export const addOffsetsToTxnHandler = defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  ...SERVES,
  name: 'AddOffsetsToTxn',
  readRequest: readAddOffsetsToTxnRequest,
  writeResponse: writeAddOffsetsToTxnResponse,
  async handle(req, ctx) {
    if (!canTransactionalId(ctx, Operation.WRITE, req.transactionalId))
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    if (!canGroup(ctx, Operation.READ, req.groupId))
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    const code = await ctx.services.transactions.addPartitions(
      req.transactionalId,
      Number(req.producerId),
      req.producerEpoch,
      [{ topic: OFFSETS_TOPIC, partition: 0 }],
    );
    return { throttleTimeMs: 0, errorCode: fencedFor(code, ctx.apiVersion, 2) };
  },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
