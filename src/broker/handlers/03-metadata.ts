/**
 * Metadata (key 3), versions 0-12. One broker (this one) leads every partition. Topics are listed
 * by name (or by id from v10); a null list (v1+) or an empty one (v0) means every topic. Unknown
 * topics are created when auto-creation is on and the client allows it (v4+ flag), with the broker's
 * num.partitions; an invalid name gets INVALID_TOPIC_EXCEPTION, a missing topic
 * UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID when asked by id).
 * Authorization, as Kafka: topics the principal may not DESCRIBE are left out of "all topics" and
 * answer TOPIC_AUTHORIZATION_FAILED when asked for (by name, or by id with a null name);
 * auto-creation needs CREATE on the cluster or the topic, else TOPIC_AUTHORIZATION_FAILED.
 * v8+ fills the cluster and topic authorized-operations bit fields when asked.
 */
import { LEADER_EPOCH } from '../../log/segment.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  type MetadataRequest,
  readMetadataRequest,
} from '../../protocol/generated/messages/metadata-request.ts';
import {
  defaultMetadataResponse,
  defaultMetadataResponseMetadataResponseTopic,
  type MetadataResponse,
  type MetadataResponseMetadataResponseTopic,
  writeMetadataResponse,
} from '../../protocol/generated/messages/metadata-response.ts';
import { CLUSTER_NAME } from '../auth/acl.ts';
import { authorizedOperations, canCreateTopic, canTopic, Operation, ResourceType } from '../authz.ts';
import { defineHandler, type RequestContext, serves } from '../handler.ts';
import type { BrokerServices } from '../services.ts';
import { selfAddress } from '../services.ts';
import { type TopicInfo, ZERO_UUID } from '../topics.ts';

/** The API key and versions this handler serves (copied into generated-table.ts by `npm run generate`). */
export const SERVES = serves(3, 0, 12);

const UNSET_OPERATIONS = -2147483648;

function describeTopic(services: BrokerServices, t: TopicInfo): MetadataResponseMetadataResponseTopic {
  const nodeId = services.advertised.nodeId;
  const res = defaultMetadataResponseMetadataResponseTopic();
  res.name = t.name;
  res.topicId = t.topicId;
  res.isInternal = t.internal;
  res.topicAuthorizedOperations = UNSET_OPERATIONS;
  for (let p = 0; p < t.partitionCount; p++) {
    res.partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: p,
      leaderId: nodeId,
      leaderEpoch: LEADER_EPOCH,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    });
  }
  return res;
}

function topicError(
  name: string | null,
  topicId: string,
  errorCode: number,
): MetadataResponseMetadataResponseTopic {
  const res = defaultMetadataResponseMetadataResponseTopic();
  res.name = name;
  res.topicId = topicId;
  res.errorCode = errorCode;
  res.topicAuthorizedOperations = UNSET_OPERATIONS;
  return res;
}

/** The authorized-operations bit fields (v8+), when the request asks for them. */
function withOperations(req: MetadataRequest, ctx: RequestContext, res: MetadataResponse): MetadataResponse {
  if (ctx.apiVersion >= 8 && ctx.apiVersion <= 10 && req.includeClusterAuthorizedOperations)
    res.clusterAuthorizedOperations = authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME);
  if (ctx.apiVersion >= 8 && req.includeTopicAuthorizedOperations)
    for (const t of res.topics)
      if (t.errorCode === ErrorCode.NONE && t.name !== null)
        t.topicAuthorizedOperations = authorizedOperations(ctx, ResourceType.TOPIC, t.name);
  return res;
}

export const metadataHandler = defineHandler<MetadataRequest, MetadataResponse>({
  ...SERVES,
  name: 'Metadata',
  readRequest: readMetadataRequest,
  writeResponse: writeMetadataResponse,
  async handle(req, ctx) {
    const { services, apiVersion } = ctx;
    const res = defaultMetadataResponse();
    const self = selfAddress(services, ctx.connection.listener);
    res.brokers = [{ nodeId: self.nodeId, host: self.host, port: self.port, rack: null }];
    res.clusterId = services.clusterId;
    res.controllerId = self.nodeId;
    res.clusterAuthorizedOperations = UNSET_OPERATIONS;
    const all = req.topics === null || (apiVersion === 0 && req.topics.length === 0);
    const visible = (name: string): boolean => canTopic(ctx, Operation.DESCRIBE, name);
    if (all) {
      res.topics = services.topics
        .list()
        .filter((t) => visible(t.name))
        .map((t) => describeTopic(services, t));
      return withOperations(req, ctx, res);
    }
    const mayCreate = services.config.autoCreateTopics && (apiVersion < 4 || req.allowAutoTopicCreation);
    for (const requested of req.topics ?? []) {
      if (requested.name === null || requested.name === '') {
        const t = services.topics.getById(requested.topicId);
        res.topics.push(
          !t
            ? topicError(null, requested.topicId, ErrorCode.UNKNOWN_TOPIC_ID)
            : visible(t.name)
              ? describeTopic(services, t)
              : topicError(null, requested.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
        );
        continue;
      }
      if (!visible(requested.name)) {
        res.topics.push(topicError(requested.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      const existing = services.topics.get(requested.name);
      if (existing) {
        res.topics.push(describeTopic(services, existing));
        continue;
      }
      if (mayCreate && !canCreateTopic(ctx, requested.name)) {
        res.topics.push(topicError(requested.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      if (mayCreate) {
        const created = await services.topics.create(requested.name, services.config.numPartitions, {});
        if ('errorCode' in created) res.topics.push(topicError(requested.name, ZERO_UUID, created.errorCode));
        else res.topics.push(describeTopic(services, created));
        continue;
      }
      res.topics.push(topicError(requested.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }
    return withOperations(req, ctx, res);
  },
  errorResponse(req, errorCode) {
    const res = defaultMetadataResponse();
    res.topics = (req.topics ?? []).map((t) => topicError(t.name, t.topicId, errorCode));
    return res;
  },
});
