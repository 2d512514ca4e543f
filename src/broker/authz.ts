/**
 * Authorization checks shared by the handlers: which principal (the connection's) may perform an
 * operation on a resource, as Kafka's KafkaApis asks its authorizer. Every check goes through
 * `services.authorizer.authorize`, which allows everything when the broker runs without
 * `--authorizer acl` and without tenants, so handlers behave as before in that case.
 */
import { ErrorCode } from '../protocol/errors.ts';
import { ConfigResourceType } from '../protocol/resource-types.ts';
import { CLUSTER_NAME, Operation, ResourceType } from './auth/acl.ts';
import type { RequestContext } from './handler.ts';

export { Operation, ResourceType };

/** May the connection's principal perform `operation` on the resource? */
export function can(
  ctx: RequestContext,
  operation: number,
  resourceType: number,
  resourceName: string,
): boolean {
  return ctx.services.authorizer.authorize({
    principal: ctx.connection.principal,
    host: ctx.connection.remoteAddress,
    operation,
    resourceType,
    resourceName,
  });
}

export const canTopic = (ctx: RequestContext, operation: number, topic: string): boolean =>
  can(ctx, operation, ResourceType.TOPIC, topic);
export const canGroup = (ctx: RequestContext, operation: number, groupId: string): boolean =>
  can(ctx, operation, ResourceType.GROUP, groupId);
export const canTransactionalId = (ctx: RequestContext, operation: number, id: string): boolean =>
  can(ctx, operation, ResourceType.TRANSACTIONAL_ID, id);
export const canCluster = (ctx: RequestContext, operation: number): boolean =>
  can(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME);

/** CreateTopics and Metadata auto-creation: CREATE on the cluster, else CREATE on the topic. */
export function canCreateTopic(ctx: RequestContext, topic: string): boolean {
  return canCluster(ctx, Operation.CREATE) || canTopic(ctx, Operation.CREATE, topic);
}

/**
 * Listing every group (ListGroups) or every log dir (DescribeLogDirs) outright: DESCRIBE on the
 * cluster. Tenants describe the cluster but never see past their prefix, so they are filtered.
 */
export function canDescribeAll(ctx: RequestContext): boolean {
  return (
    ctx.services.authorizer.tenantPrefix(ctx.connection.principal) === undefined &&
    canCluster(ctx, Operation.DESCRIBE)
  );
}

/**
 * InitProducerId without a transactional id (idempotent producer): IDEMPOTENT_WRITE on the cluster,
 * or WRITE on at least one topic (Kafka's authorizeByResourceType).
 */
export function canWriteIdempotently(ctx: RequestContext): boolean {
  if (canCluster(ctx, Operation.IDEMPOTENT_WRITE)) return true;
  return ctx.services.authorizer.authorizeAny({
    principal: ctx.connection.principal,
    host: ctx.connection.remoteAddress,
    operation: Operation.WRITE,
    resourceType: ResourceType.TOPIC,
  });
}

/** Splits named items by whether the principal may perform `operation` on the topic they name. */
export function byTopicAccess<T extends { name: string }>(
  ctx: RequestContext,
  operation: number,
  topics: readonly T[],
): { allowed: T[]; denied: T[] } {
  const allowed: T[] = [];
  const denied: T[] = [];
  for (const t of topics) (canTopic(ctx, operation, t.name) ? allowed : denied).push(t);
  return { allowed, denied };
}

/** Per-partition TOPIC_AUTHORIZATION_FAILED results for topics the principal may not use. */
export function topicDenied(
  topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[],
): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    })),
  }));
}

/**
 * Describe/Alter(Incremental)Configs: DESCRIBE_CONFIGS or ALTER_CONFIGS on the topic for topic
 * resources, on the cluster for broker and broker-logger resources. Returns the error code to
 * answer, or null when allowed (or the resource type is not one of these).
 */
export function configAccessError(
  ctx: RequestContext,
  operation: number,
  resourceType: number,
  resourceName: string,
): number | null {
  if (resourceType === ConfigResourceType.TOPIC)
    return canTopic(ctx, operation, resourceName) ? null : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  if (resourceType === ConfigResourceType.BROKER || resourceType === ConfigResourceType.BROKER_LOGGER)
    return canCluster(ctx, operation) ? null : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  return null;
}

const OPERATIONS_OF: Record<number, readonly number[]> = {
  [ResourceType.TOPIC]: [
    Operation.READ,
    Operation.WRITE,
    Operation.CREATE,
    Operation.DESCRIBE,
    Operation.DELETE,
    Operation.ALTER,
    Operation.DESCRIBE_CONFIGS,
    Operation.ALTER_CONFIGS,
  ],
  [ResourceType.GROUP]: [Operation.READ, Operation.DESCRIBE, Operation.DELETE],
  [ResourceType.CLUSTER]: [
    Operation.CREATE,
    Operation.CLUSTER_ACTION,
    Operation.DESCRIBE_CONFIGS,
    Operation.ALTER_CONFIGS,
    Operation.IDEMPOTENT_WRITE,
    Operation.ALTER,
    Operation.DESCRIBE,
  ],
};

/** The `*_authorized_operations` bit field (bit n = operation code n allowed), as Kafka reports it. */
export function authorizedOperations(
  ctx: RequestContext,
  resourceType: number,
  resourceName: string,
): number {
  let bits = 0;
  for (const op of OPERATIONS_OF[resourceType] ?? [])
    if (can(ctx, op, resourceType, resourceName)) bits |= 1 << op;
  return bits;
}
