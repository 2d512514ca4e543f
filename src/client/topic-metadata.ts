/**
 * Partition and replica counts of topics straight from a Metadata request, internal topics
 * included: @platformatic/kafka's metadata cache skips topics the broker marks internal
 * (`__consumer_offsets`, `__transaction_state`), so tools listing them ask the broker directly.
 */
import { metadataV12 } from '@platformatic/kafka';
import { withBrokerConnection } from './broker-connection.ts';
import type { KafkaConnectionOptions } from './connection-options.ts';

export interface TopicShape {
  name: string;
  partitions: number;
  /** Replicas of partition 0 (every partition has the same count on Samsa and on Kafka by default). */
  replicationFactor: number;
  internal: boolean;
}

/** The shape of each named topic that exists (unknown ones are left out; never auto-creates). */
export function describeTopicShapes(
  options: KafkaConnectionOptions,
  clientId: string,
  names: readonly string[],
): Promise<TopicShape[]> {
  if (names.length === 0) return Promise.resolve([]);
  return withBrokerConnection(options, clientId, async (c) => {
    const res = await metadataV12.api.async(c, [...names], false, false);
    return res.topics
      .filter((t) => t.errorCode === 0 && t.name !== null)
      .map((t) => ({
        name: t.name as string,
        partitions: t.partitions.length,
        replicationFactor: t.partitions.find((p) => p.partitionIndex === 0)?.replicaNodes.length ?? 0,
        internal: t.isInternal,
      }));
  });
}
