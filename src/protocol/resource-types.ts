/**
 * The two resource-type enumerations of Kafka's protocol, as their codes appear on the wire, kept
 * apart because their numbers overlap with different meanings (4 is CLUSTER for ACLs, BROKER for
 * configs):
 * - `ResourceType`: what an ACL binding names (CreateAcls, DescribeAcls, DeleteAcls and the
 *   `*_authorized_operations` fields); Kafka's `org.apache.kafka.common.resource.ResourceType`.
 * - `ConfigResourceType`: what DescribeConfigs, AlterConfigs and IncrementalAlterConfigs describe
 *   or change; Kafka's `ConfigResource.Type`. Samsa serves TOPIC, BROKER and BROKER_LOGGER.
 */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;
