/**
 * CreatePartitions (key 37), versions 0-3. Grows topics to `count` partitions; a count equal to or
 * below the current one is INVALID_PARTITIONS with Kafka's messages. Manual assignments must list
 * one entry per new partition, each naming only this node (INVALID_REPLICA_ASSIGNMENT otherwise).
 * `validateOnly` checks without growing. New partitions are visible to Metadata (and so to
 * producers) as soon as the response is sent. Internal topics cannot be grown. Authorization:
 * ALTER on each topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type CreatePartitionsRequest,
  type CreatePartitionsRequestCreatePartitionsTopic,
  readCreatePartitionsRequest,
} from '../../protocol/generated/messages/create-partitions-request.ts';
import {
  type CreatePartitionsResponse,
  writeCreatePartitionsResponse,
} from '../../protocol/generated/messages/create-partitions-response.ts';
import { canTopic, Operation } from '../authz.ts';
import { defineHandler, type RequestContext, serves } from '../handler.ts';
import type { BrokerServices } from '../services.ts';
import type { TopicFailure } from '../topics.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(37, 0, 3);

function checkAssignments(
  services: BrokerServices,
  t: CreatePartitionsRequestCreatePartitionsTopic,
): TopicFailure | null {
  const topic = services.topics.get(t.name);
  if (!t.assignments || !topic) return null;
  const added = t.count - topic.partitionCount;
  if (added > 0 && t.assignments.length !== added)
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      message: `Increasing the number of partitions by ${added} but ${t.assignments.length} assignments provided.`,
    };
  const node = services.advertised.nodeId;
  for (const a of t.assignments) {
    const other = a.brokerIds.find((id) => id !== node);
    if (other !== undefined)
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        message: `The manual partition assignment includes broker ${other}, but no such broker is registered.`,
      };
    if (a.brokerIds.length !== 1)
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        message: `Inconsistent replication factor between partitions, the topic has 1 but an assignment has ${a.brokerIds.length}.`,
      };
  }
  return null;
}

/** controller_mutation_rate for the partitions to be added (strict from v3, as Kafka). */
function mutationQuota(ctx: RequestContext, topic: string, count: number): TopicFailure | null {
  const added = count - (ctx.services.topics.get(topic)?.partitionCount ?? count);
  const quota = ctx.services.quotas.mutation(
    ctx.connection.principal,
    ctx.clientId,
    added,
    ctx.apiVersion >= 3,
  );
  ctx.throttle(quota.throttleMs);
  return quota.allowed
    ? null
    : { errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, message: 'The throttling quota has been exceeded.' };
}

export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  ...SERVES,
  name: 'CreatePartitions',
  readRequest: readCreatePartitionsRequest,
  writeResponse: writeCreatePartitionsResponse,
  handle(req, ctx) {
    const { services } = ctx;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => {
        let failed: TopicFailure | null = null;
        if ((counts.get(t.name) ?? 0) > 1)
          failed = { errorCode: ErrorCode.INVALID_REQUEST, message: 'Duplicate topic in request.' };
        else if (!canTopic(ctx, Operation.ALTER, t.name))
          failed = { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, message: 'Authorization failed.' };
        else if (services.topics.get(t.name)?.internal)
          failed = {
            errorCode: ErrorCode.INVALID_REQUEST,
            message: `Cannot increase the partition count of internal topic ${t.name}.`,
          };
        else
          failed =
            services.topics.addPartitions(t.name, t.count, true) ??
            checkAssignments(services, t) ??
            (req.validateOnly ? null : mutationQuota(ctx, t.name, t.count)) ??
            (req.validateOnly ? null : services.topics.addPartitions(t.name, t.count, false));
        return { name: t.name, errorCode: failed?.errorCode ?? 0, errorMessage: failed?.message ?? null };
      }),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
    };
  },
});
