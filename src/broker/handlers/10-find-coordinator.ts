/**
 * FindCoordinator (key 10), versions 0-6. This broker coordinates every group (key type 0) and
 * transactional id (key type 1); v4+ answers a batch of keys. Other key types (share groups, 2)
 * get INVALID_REQUEST.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type FindCoordinatorRequest,
  readFindCoordinatorRequest,
} from '../../protocol/generated/messages/find-coordinator-request.ts';
import {
  type FindCoordinatorResponse,
  FindCoordinatorResponseVersions,
  writeFindCoordinatorResponse,
} from '../../protocol/generated/messages/find-coordinator-response.ts';
import { defineHandler } from '../handler.ts';
import { selfAddress } from '../services.ts';

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: FindCoordinatorResponseVersions.min,
  maxVersion: FindCoordinatorResponseVersions.max,
  readRequest: readFindCoordinatorRequest,
  writeResponse: writeFindCoordinatorResponse,
  handle(req, ctx) {
    const self = selfAddress(ctx.services, ctx.connection.listener);
    const supported = req.keyType === 0 || req.keyType === 1;
    const errorCode = supported ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST;
    const errorMessage = supported ? null : `Unsupported coordinator key type ${req.keyType}`;
    const node = supported ? self : { nodeId: -1, host: '', port: -1 };
    if (ctx.apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: -1,
        host: '',
        port: -1,
        coordinators: req.coordinatorKeys.map((key) => ({ key, ...node, errorCode, errorMessage })),
      };
    }
    return { throttleTimeMs: 0, errorCode, errorMessage, ...node, coordinators: [] };
  },
});
