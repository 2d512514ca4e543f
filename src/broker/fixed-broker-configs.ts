/**
 * Kafka broker settings a single node accepts but cannot change, with the value Samsa runs with
 * and Kafka's own default: DescribeConfigs lists them (read-only) beside the real settings, so
 * tools that read `default.replication.factor` or `min.insync.replicas` from the broker (Kafka
 * Streams, Connect, kafka-configs.sh) find them. A value differing from Kafka's default is reported
 * as STATIC_BROKER_CONFIG with the default as its synonym, as Kafka reports a server.properties
 * setting. Not implemented: setting any of them (there is nothing to change on one node).
 */
import type { BrokerConfig } from './config.ts';
import type { ConfigType } from './topic-config.ts';

export interface FixedBrokerConfig {
  readonly name: string;
  readonly value: (config: BrokerConfig) => string;
  /** Kafka's code default. */
  readonly kafkaDefault: string;
  readonly type: ConfigType;
  readonly doc: string;
}

function fixed(name: string, value: string, kafkaDefault: string, type: ConfigType, doc: string) {
  return { name, value: () => value, kafkaDefault, type, doc };
}

export const FIXED_BROKER_CONFIGS: readonly FixedBrokerConfig[] = [
  { ...fixed('broker.id', '', '-1', 'int', 'the node id (node.id)'), value: (c) => String(c.nodeId) },
  fixed('process.roles', 'broker,controller', '', 'list', 'one node is both broker and controller'),
  fixed('default.replication.factor', '1', '1', 'int', 'one node: every partition has one replica'),
  fixed('min.insync.replicas', '1', '1', 'int', 'one node: the leader is the only in-sync replica'),
  fixed('offsets.topic.replication.factor', '1', '3', 'int', '__consumer_offsets has one replica'),
  fixed('offsets.topic.num.partitions', '1', '50', 'int', '__consumer_offsets has one partition'),
  fixed('transaction.state.log.replication.factor', '1', '3', 'int', '__transaction_state has one replica'),
  fixed('transaction.state.log.min.isr', '1', '2', 'int', 'one node: the leader is the only in-sync replica'),
  fixed('transaction.state.log.num.partitions', '1', '50', 'int', '__transaction_state has one partition'),
  fixed('num.network.threads', '1', '3', 'int', 'connections are served by one event loop'),
  fixed('num.io.threads', '1', '8', 'int', 'requests are handled on one event loop'),
  fixed('num.replica.fetchers', '1', '1', 'int', 'no followers to fetch for'),
  fixed('num.recovery.threads.per.data.dir', '1', '2', 'int', 'logs are recovered one at a time'),
  fixed('log.cleaner.threads', '1', '1', 'int', 'one cleaner pass at a time'),
  fixed('log.cleaner.enable', 'true', 'true', 'boolean', 'compacted topics are cleaned'),
  fixed('delete.topic.enable', 'true', 'true', 'boolean', 'DeleteTopics deletes'),
  fixed('unclean.leader.election.enable', 'false', 'false', 'boolean', 'one replica: never unclean'),
  fixed('auto.leader.rebalance.enable', 'false', 'true', 'boolean', 'one node leads every partition'),
  fixed('replica.lag.time.max.ms', '30000', '30000', 'long', 'no followers to lag'),
  fixed(
    'group.max.session.timeout.ms',
    '1800000',
    '1800000',
    'int',
    'largest session timeout a member may ask',
  ),
  fixed('group.max.size', '2147483647', '2147483647', 'int', 'members per consumer group'),
  fixed('offset.metadata.max.bytes', '4096', '4096', 'int', 'largest metadata string of an offset commit'),
  {
    ...fixed(
      'offsets.retention.minutes',
      '',
      '10080',
      'int',
      'committed offsets of empty groups expire after',
    ),
    value: (c) => String(Math.floor(c.offsetsRetentionMs / 60_000)),
  },
];
