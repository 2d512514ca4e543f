/**
 * Topic configuration: Kafka's topic config names with their broker-level defaults (the broker
 * setting each defaults from) and documentation. Types and validation live in one place,
 * log/topic-config-rules.ts (re-exported here), shared with the log manager. Topics store only the values set on them; everything
 * else resolves to the broker default (DescribeConfigs reports which source a value came from).
 */
import {
  type ConfigType,
  LONG_MAX,
  listEntries,
  topicConfigRule,
  validateTopicConfig,
  validateTopicConfigs,
} from '../log/topic-config-rules.ts';
import { type BrokerConfig, DEFAULT_CONFIG, SETTINGS } from './config.ts';

export { type ConfigType, LONG_MAX, listEntries, validateTopicConfig, validateTopicConfigs };

export interface TopicConfigDef {
  name: string;
  type: ConfigType;
  /** Name of the broker-level config this topic config defaults from (a synonym). */
  brokerName: string;
  doc: string;
  defaultValue: (broker: BrokerConfig) => string;
}

const DAY = 24 * 60 * 60 * 1000;

/** The default of a topic config whose broker synonym is a broker setting: that setting's value. */
function fromBrokerSetting(kafkaName: string): (broker: BrokerConfig) => string {
  const setting = SETTINGS.find((s) => s.kafkaName === kafkaName);
  if (!setting) throw new Error(`${kafkaName} is not a broker setting: give its topic config a defaultValue`);
  return (broker) => String(broker[setting.key]);
}

/** Each topic config's broker synonym and doc; `defaultValue` where the synonym is not a broker
 * setting of config.ts's table (otherwise the default is that setting's value). */
const DEFINITIONS: readonly (Omit<TopicConfigDef, 'type' | 'defaultValue'> &
  Partial<Pick<TopicConfigDef, 'defaultValue'>>)[] = [
  {
    name: 'cleanup.policy',
    brokerName: 'log.cleanup.policy',
    doc: 'delete: remove old segments by time or size; compact: keep the latest record per key; or both.',
    defaultValue: () => 'delete',
  },
  {
    name: 'retention.ms',
    brokerName: 'log.retention.ms',
    doc: 'How long a segment is kept before it may be deleted (-1: forever).',
  },
  {
    name: 'retention.bytes',
    brokerName: 'log.retention.bytes',
    doc: 'Largest size a partition may grow to before old segments are deleted (-1: no limit).',
    defaultValue: () => '-1',
  },
  {
    name: 'segment.bytes',
    brokerName: 'log.segment.bytes',
    doc: 'Segment file size at which a new segment is rolled.',
  },
  {
    name: 'segment.ms',
    brokerName: 'log.roll.ms',
    doc: 'Age at which the active segment is rolled even if not full.',
    defaultValue: () => String(7 * DAY),
  },
  {
    name: 'segment.jitter.ms',
    brokerName: 'log.roll.jitter.ms',
    doc: 'Accepted for compatibility; segments roll exactly at segment.ms.',
    defaultValue: () => '0',
  },
  {
    name: 'segment.index.bytes',
    brokerName: 'log.index.size.max.bytes',
    doc: 'Maximum size of a segment offset/time index; a full index rolls the segment.',
    defaultValue: () => String(10 * 1024 * 1024),
  },
  {
    name: 'index.interval.bytes',
    brokerName: 'log.index.interval.bytes',
    doc: 'Bytes of log between two sparse index entries.',
    defaultValue: () => '4096',
  },
  {
    name: 'delete.retention.ms',
    brokerName: 'log.cleaner.delete.retention.ms',
    doc: 'How long tombstones are kept in a compacted topic after compaction reached them.',
    defaultValue: () => String(DAY),
  },
  {
    name: 'file.delete.delay.ms',
    brokerName: 'log.segment.delete.delay.ms',
    doc: 'Accepted for compatibility; deleted segments are removed at once.',
    defaultValue: () => '60000',
  },
  {
    name: 'min.compaction.lag.ms',
    brokerName: 'log.cleaner.min.compaction.lag.ms',
    doc: 'Minimum age of a record before it may be compacted.',
    defaultValue: () => '0',
  },
  {
    name: 'max.compaction.lag.ms',
    brokerName: 'log.cleaner.max.compaction.lag.ms',
    doc: 'Maximum time a record stays uncompacted.',
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'min.cleanable.dirty.ratio',
    brokerName: 'log.cleaner.min.cleanable.ratio',
    doc: 'Share of the log that must be uncompacted before the cleaner runs.',
    defaultValue: () => '0.5',
  },
  {
    name: 'max.message.bytes',
    brokerName: 'message.max.bytes',
    doc: 'Largest record batch the topic accepts.',
  },
  {
    name: 'message.timestamp.type',
    brokerName: 'log.message.timestamp.type',
    doc: 'CreateTime keeps the producer timestamp; LogAppendTime stamps records with the broker time.',
    defaultValue: () => 'CreateTime',
  },
  {
    name: 'message.timestamp.difference.max.ms',
    brokerName: 'log.message.timestamp.difference.max.ms',
    doc: 'Largest allowed difference between a CreateTime timestamp and the broker clock (either way).',
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'message.timestamp.before.max.ms',
    brokerName: 'log.message.timestamp.before.max.ms',
    doc: 'How far a CreateTime timestamp may lie in the past of the broker clock.',
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'message.timestamp.after.max.ms',
    brokerName: 'log.message.timestamp.after.max.ms',
    doc: 'How far a CreateTime timestamp may lie in the future of the broker clock.',
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'compression.type',
    brokerName: 'compression.type',
    doc: 'producer keeps the batches as the producer compressed them.',
    defaultValue: () => 'producer',
  },
  {
    name: 'flush.ms',
    brokerName: 'log.flush.interval.ms',
    doc: 'Background fsync period when the broker runs with --fsync interval.',
  },
  {
    name: 'flush.messages',
    brokerName: 'log.flush.interval.messages',
    doc: 'Accepted for compatibility; the broker --fsync policy decides when data is synced.',
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'preallocate',
    brokerName: 'log.preallocate',
    doc: 'Accepted for compatibility; segment files are not preallocated.',
    defaultValue: () => 'false',
  },
  {
    name: 'min.insync.replicas',
    brokerName: 'min.insync.replicas',
    doc: 'Single-node broker: only 1 is satisfiable.',
    defaultValue: () => '1',
  },
  {
    name: 'unclean.leader.election.enable',
    brokerName: 'unclean.leader.election.enable',
    doc: 'Accepted for compatibility; a single node has no election.',
    defaultValue: () => 'false',
  },
  {
    name: 'message.downconversion.enable',
    brokerName: 'log.message.downconversion.enable',
    doc: 'Accepted for compatibility; old message formats are never served.',
    defaultValue: () => 'true',
  },
  {
    name: 'leader.replication.throttled.replicas',
    brokerName: 'leader.replication.throttled.replicas',
    doc: 'Accepted for compatibility; a single node does not replicate.',
    defaultValue: () => '',
  },
  {
    name: 'confluent.key.schema.validation',
    brokerName: 'confluent.key.schema.validation',
    doc: 'Accept only keys carrying a schema id registered under <topic>-key (needs the schema registry).',
    defaultValue: () => 'false',
  },
  {
    name: 'confluent.value.schema.validation',
    brokerName: 'confluent.value.schema.validation',
    doc: 'Accept only values carrying a schema id registered under <topic>-value (needs the schema registry).',
    defaultValue: () => 'false',
  },
  {
    name: 'follower.replication.throttled.replicas',
    brokerName: 'follower.replication.throttled.replicas',
    doc: 'Accepted for compatibility; a single node does not replicate.',
    defaultValue: () => '',
  },
];

/** Every topic config with its broker-level default; types and validation: log/topic-config-rules.ts. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = DEFINITIONS.map((d) => ({
  ...d,
  type: topicConfigRule(d.name)!.type,
  defaultValue: d.defaultValue ?? fromBrokerSetting(d.brokerName),
}));

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));
if (BY_NAME.size !== DEFINITIONS.length) throw new Error('a topic config is defined twice');

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/** The effective value: set on the topic, else the broker default. */
export function effectiveTopicConfig(
  name: string,
  topicConfigs: Readonly<Record<string, string>>,
  broker: BrokerConfig,
): string {
  const set = topicConfigs[name];
  if (set !== undefined) return set;
  const def = BY_NAME.get(name);
  return def ? def.defaultValue(broker) : '';
}

/** Kafka's config sources, as DescribeConfigs and CreateTopics report them. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** Where a topic's inherited value comes from: the broker's own setting, or the built-in default. */
export function brokerDefaultSource(def: TopicConfigDef, broker: BrokerConfig): number {
  return def.defaultValue(broker) === def.defaultValue(DEFAULT_CONFIG)
    ? ConfigSource.DEFAULT_CONFIG
    : ConfigSource.STATIC_BROKER_CONFIG;
}

/** Applies IncrementalAlterConfigs' APPEND/SUBTRACT to a list value. */
export function alterList(current: string, values: string, op: 'append' | 'subtract'): string {
  const have = listEntries(current);
  const given = listEntries(values);
  const out =
    op === 'append'
      ? [...have, ...given.filter((v) => !have.includes(v))]
      : have.filter((v) => !given.includes(v));
  return out.join(',');
}
