/**
 * CreateTopics (key 19), versions 0-7. Validates the name (Kafka's rules, including names that
 * collide with an existing one over '.' vs '_'), partition count (-1 = broker default, v4+; at most
 * MAX_PARTITIONS), replication factor (-1 or 1 on a single node), manual assignments (only broker
 * ids of this node) and the configs as a whole (Kafka names and messages, INVALID_CONFIG);
 * `validateOnly` checks without creating. v5+ answers with the topic id, partition count,
 * replication factor and resolved configs with their sources. Authorization: CREATE on the cluster
 * or else on each topic (TOPIC_AUTHORIZATION_FAILED); the v5+ configs are only returned with
 * DESCRIBE_CONFIGS on the topic (else topic_config_error_code TOPIC_AUTHORIZATION_FAILED).
 */
import { MAX_PARTITIONS } from '../../log/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type CreateTopicsRequest,
  type CreateTopicsRequestCreatableTopic,
  readCreateTopicsRequest,
} from '../../protocol/generated/messages/create-topics-request.ts';
import {
  type CreateTopicsResponse,
  type CreateTopicsResponseCreatableTopicResult,
  defaultCreateTopicsResponseCreatableTopicResult,
  writeCreateTopicsResponse,
} from '../../protocol/generated/messages/create-topics-response.ts';
import { canCreateTopic, canTopic, Operation } from '../authz.ts';
import { defineHandler, serves } from '../handler.ts';
import type { BrokerServices } from '../services.ts';
import { brokerDefaultSource, ConfigSource, TOPIC_CONFIGS, validateTopicConfigs } from '../topic-config.ts';
import { ZERO_UUID } from '../topics.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(19, 0, 7);

function fail(name: string, errorCode: number, message: string): CreateTopicsResponseCreatableTopicResult {
  const r = defaultCreateTopicsResponseCreatableTopicResult();
  r.name = name;
  r.errorCode = errorCode;
  r.errorMessage = message;
  r.numPartitions = -1;
  r.replicationFactor = -1;
  r.configs = null;
  return r;
}

/** Checks a topic request; returns the partition count and configs, or a failed result. */
function check(
  services: BrokerServices,
  t: CreateTopicsRequestCreatableTopic,
  seen: Set<string>,
): CreateTopicsResponseCreatableTopicResult | { partitions: number; configs: Record<string, string> } {
  if (seen.has(t.name))
    return fail(t.name, ErrorCode.INVALID_REQUEST, `Topic ${t.name} appears more than once in the request`);
  seen.add(t.name);
  const nameProblem = services.topics.checkNewName(t.name);
  if (nameProblem) return fail(t.name, nameProblem.errorCode, nameProblem.message);
  const assigned = t.assignments.length > 0;
  if (assigned && (t.numPartitions !== -1 || t.replicationFactor !== -1))
    return fail(
      t.name,
      ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set',
    );
  const partitions = assigned
    ? t.assignments.length
    : t.numPartitions === -1
      ? services.config.numPartitions
      : t.numPartitions;
  if (partitions < 1)
    return fail(
      t.name,
      ErrorCode.INVALID_PARTITIONS,
      'Number of partitions was set to an invalid non-positive value.',
    );
  if (partitions > MAX_PARTITIONS)
    return fail(
      t.name,
      ErrorCode.INVALID_PARTITIONS,
      `Number of partitions must be at most ${MAX_PARTITIONS}.`,
    );
  if (t.replicationFactor === 0 || t.replicationFactor < -1)
    return fail(
      t.name,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Replication factor must be larger than 0, or -1 to use the default value.',
    );
  if (t.replicationFactor > 1)
    return fail(
      t.name,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${t.replicationFactor} time(s): The target replication factor of ${t.replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
    );
  for (const a of t.assignments) {
    if (a.brokerIds.length !== 1 || a.brokerIds[0] !== services.advertised.nodeId)
      return fail(
        t.name,
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Partition ${a.partitionIndex} must be assigned to broker ${services.advertised.nodeId} only`,
      );
  }
  const configs: Record<string, string> = {};
  for (const c of t.configs) {
    const problem = services.topics.validateConfig(c.name, c.value);
    if (problem) return fail(t.name, ErrorCode.INVALID_CONFIG, problem);
    configs[c.name] = c.value!;
  }
  const problem = validateTopicConfigs(configs);
  if (problem) return fail(t.name, ErrorCode.INVALID_CONFIG, problem);
  return { partitions, configs };
}

export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  ...SERVES,
  name: 'CreateTopics',
  readRequest: readCreateTopicsRequest,
  writeResponse: writeCreateTopicsResponse,
  async handle(req, ctx) {
    const { services } = ctx;
    const seen = new Set<string>();
    const topics: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const t of req.topics) {
      if (!seen.has(t.name) && !canCreateTopic(ctx, t.name)) {
        seen.add(t.name);
        topics.push(fail(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
        continue;
      }
      const checked = check(services, t, seen);
      if ('errorCode' in checked) {
        topics.push(checked);
        continue;
      }
      let topicId = ZERO_UUID;
      if (!req.validateOnly) {
        const quota = services.quotas.mutation(
          ctx.connection.principal,
          ctx.clientId,
          checked.partitions,
          ctx.apiVersion >= 6,
        );
        ctx.throttle(quota.throttleMs);
        if (!quota.allowed) {
          topics.push(
            fail(t.name, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'The throttling quota has been exceeded.'),
          );
          continue;
        }
        const created = await services.topics.create(t.name, checked.partitions, checked.configs);
        if ('errorCode' in created) {
          topics.push(fail(t.name, created.errorCode, created.message));
          continue;
        }
        topicId = created.topicId;
      }
      const r = defaultCreateTopicsResponseCreatableTopicResult();
      r.name = t.name;
      r.topicId = topicId;
      r.numPartitions = checked.partitions;
      r.replicationFactor = 1;
      if (!canTopic(ctx, Operation.DESCRIBE_CONFIGS, t.name)) {
        r.topicConfigErrorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        topics.push(r);
        continue;
      }
      r.configs = TOPIC_CONFIGS.map((def) => {
        const set = checked.configs[def.name];
        return {
          name: def.name,
          value: set ?? def.defaultValue(services.config),
          readOnly: false,
          configSource:
            set === undefined ? brokerDefaultSource(def, services.config) : ConfigSource.DYNAMIC_TOPIC_CONFIG,
          isSensitive: false,
        };
      });
      topics.push(r);
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => fail(t.name, errorCode, 'internal error')) };
  },
});
