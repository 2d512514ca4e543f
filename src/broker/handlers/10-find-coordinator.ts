/**
 * FindCoordinator (key 10), versions 0-6. This broker coordinates every group (key type 0) and
 * transactional id (key type 1); v4+ answers a batch of keys. Other key types (share groups, 2)
 * get INVALID_REQUEST. Authorization: DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED) or the
 * transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), per key from v4.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type FindCoordinatorRequest,
  readFindCoordinatorRequest,
} from '../../protocol/generated/messages/find-coordinator-request.ts';
import {
  errorFindCoordinatorResponse,
  type FindCoordinatorResponse,
  writeFindCoordinatorResponse,
} from '../../protocol/generated/messages/find-coordinator-response.ts';
import { canGroup, canTransactionalId, Operation } from '../authz.ts';
import { defineHandler, type RequestContext, serves } from '../handler.ts';
import { selfAddress } from '../services.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(10, 0, 6);

/** The error for one key: unsupported key type, not authorized, or none. */
function keyError(
  ctx: RequestContext,
  keyType: number,
  key: string,
): { errorCode: number; errorMessage: string | null } {
  if (keyType === 0 && !canGroup(ctx, Operation.DESCRIBE, key))
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null };
  if (keyType === 1 && !canTransactionalId(ctx, Operation.DESCRIBE, key))
    return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage: null };
  if (keyType === 0 || keyType === 1) return { errorCode: ErrorCode.NONE, errorMessage: null };
  return {
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: `Unsupported coordinator key type ${keyType}`,
  };
}

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  ...SERVES,
  name: 'FindCoordinator',
  readRequest: readFindCoordinatorRequest,
  writeResponse: writeFindCoordinatorResponse,
  handle(req, ctx) {
    const self = selfAddress(ctx.services, ctx.connection.listener);
    const none = { nodeId: -1, host: '', port: -1 };
    if (ctx.apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: -1,
        host: '',
        port: -1,
        coordinators: req.coordinatorKeys.map((key) => {
          const e = keyError(ctx, req.keyType, key);
          return { key, ...(e.errorCode === ErrorCode.NONE ? self : none), ...e };
        }),
      };
    }
    const e = keyError(ctx, req.keyType, req.key);
    return { throttleTimeMs: 0, ...e, ...(e.errorCode === ErrorCode.NONE ? self : none), coordinators: [] };
  },
  errorResponse(req, errorCode, version) {
    const none = { nodeId: -1, host: '', port: -1, errorCode, errorMessage: null };
    if (version >= 4)
      return {
        ...errorFindCoordinatorResponse(0),
        coordinators: req.coordinatorKeys.map((key) => ({ key, ...none })),
      };
    return { ...errorFindCoordinatorResponse(errorCode), ...none };
  },
});
