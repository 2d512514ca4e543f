/**
 * ListTransactions (key 66), versions 0-1. Every transactional id with its producer id and state,
 * filtered by state names and producer ids; v1's duration filter keeps transactions running longer
 * than it. Unknown state names are echoed in unknown_state_filters. Authorization: only the
 * transactional ids the principal may DESCRIBE are listed.
 */

import { TXN_STATES } from '../../coordinator/transactions/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type ListTransactionsRequest,
  readListTransactionsRequest,
} from '../../protocol/generated/messages/list-transactions-request.ts';
import {
  errorListTransactionsResponse,
  type ListTransactionsResponse,
  writeListTransactionsResponse,
} from '../../protocol/generated/messages/list-transactions-response.ts';
import { canTransactionalId, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(66, 0, 1);

export const listTransactionsHandler = defineHandler<ListTransactionsRequest, ListTransactionsResponse>({
  ...SERVES,
  name: 'ListTransactions',
  readRequest: readListTransactionsRequest,
  writeResponse: writeListTransactionsResponse,
  handle(req, ctx) {
    const known = new Set<string>(TXN_STATES);
    const states = new Set(req.stateFilters);
    const pids = new Set(req.producerIdFilters.map(Number));
    const minDuration = ctx.apiVersion >= 1 ? Number(req.durationFilter) : -1;
    const now = Date.now();
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters: req.stateFilters.filter((s) => !known.has(s)),
      transactionStates: ctx.services.transactions
        .all()
        .filter((m) => canTransactionalId(ctx, Operation.DESCRIBE, m.transactionalId))
        .filter((m) => states.size === 0 || states.has(m.state))
        .filter((m) => pids.size === 0 || pids.has(m.producerId))
        .filter((m) => minDuration < 0 || (m.state === 'Ongoing' && now - m.startTimestamp > minDuration))
        .map((m) => ({
          transactionalId: m.transactionalId,
          producerId: BigInt(m.producerId),
          transactionState: m.state,
        })),
    };
  },
  errorResponse: (_req, errorCode) => errorListTransactionsResponse(errorCode),
});
