/**
 * DescribeClientQuotas (key 48), versions 0-1: the quota entities matching a filter (exact name,
 * default, or any specified name per entity type; `strict` leaves out entities with other types)
 * and their values. An invalid filter answers INVALID_REQUEST with Kafka's reason. Authorization:
 * DESCRIBE_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type DescribeClientQuotasRequest,
  readDescribeClientQuotasRequest,
} from '../../protocol/generated/messages/describe-client-quotas-request.ts';
import {
  type DescribeClientQuotasResponse,
  writeDescribeClientQuotasResponse,
} from '../../protocol/generated/messages/describe-client-quotas-response.ts';
import { canCluster, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import { QuotaError } from '../quotas/quota-store.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(48, 0, 1);

export const describeClientQuotasHandler = defineHandler<
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse
>({
  ...SERVES,
  name: 'DescribeClientQuotas',
  readRequest: readDescribeClientQuotasRequest,
  writeResponse: writeDescribeClientQuotasResponse,
  handle(req, ctx) {
    const fail = (errorCode: number, errorMessage: string): DescribeClientQuotasResponse => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      entries: null,
    });
    if (!canCluster(ctx, Operation.DESCRIBE_CONFIGS))
      return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed');
    try {
      const found = ctx.services.quotas.store.describe(req.components, req.strict);
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        entries: found.map((e) => ({
          entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
          values: Object.entries(e.values).map(([key, value]) => ({ key, value: value ?? 0 })),
        })),
      };
    } catch (err) {
      if (err instanceof QuotaError) return fail(ErrorCode.INVALID_REQUEST, err.message);
      throw err;
    }
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, entries: null };
  },
});
