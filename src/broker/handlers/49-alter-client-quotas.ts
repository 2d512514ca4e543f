/**
 * AlterClientQuotas (key 49), versions 0-1: sets and removes quota values per entity (user,
 * client-id, ip; a null name is the default entity). Each entry is validated on its own (entity
 * types and combinations, keys allowed for the entity, whole numbers for byte and connection
 * rates, positive values) and answers INVALID_REQUEST with Kafka's reason; `validateOnly` changes
 * nothing. Changes are saved before the answer and take effect on the next request. Authorization:
 * ALTER_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every entry.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type AlterClientQuotasRequest,
  readAlterClientQuotasRequest,
} from '../../protocol/generated/messages/alter-client-quotas-request.ts';
import {
  type AlterClientQuotasResponse,
  writeAlterClientQuotasResponse,
} from '../../protocol/generated/messages/alter-client-quotas-response.ts';
import { canCluster, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import { QuotaError } from '../quotas/quota-store.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(49, 0, 1);

export const alterClientQuotasHandler = defineHandler<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  ...SERVES,
  name: 'AlterClientQuotas',
  readRequest: readAlterClientQuotasRequest,
  writeResponse: writeAlterClientQuotasResponse,
  handle(req, ctx) {
    const entity = (e: AlterClientQuotasRequest['entries'][number]) =>
      e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName }));
    if (!canCluster(ctx, Operation.ALTER_CONFIGS))
      return {
        throttleTimeMs: 0,
        entries: req.entries.map((e) => ({
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: 'Cluster authorization failed',
          entity: entity(e),
        })),
      };
    const store = ctx.services.quotas.store;
    let changed = false;
    const entries = req.entries.map((e) => {
      try {
        store.validate(e.entity, e.ops);
        if (!req.validateOnly) {
          store.alter(e.entity, e.ops);
          changed = true;
        }
        return { errorCode: 0, errorMessage: null, entity: entity(e) };
      } catch (err) {
        if (!(err instanceof QuotaError)) throw err;
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: err.message, entity: entity(e) };
      }
    });
    if (changed) store.save();
    return { throttleTimeMs: 0, entries };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      entries: req.entries.map((e) => ({
        errorCode,
        errorMessage: null,
        entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
      })),
    };
  },
});
