/**
 * Topic configuration: Kafka's topic config names, their broker-level defaults, validation (with
 * Kafka's error messages) and documentation. Topics store only the values set on them; everything
 * else resolves to the broker default (DescribeConfigs reports which source a value came from).
 */
import { type BrokerConfig, DEFAULT_CONFIG } from './config.ts';

export type ConfigType = 'long' | 'int' | 'double' | 'string' | 'list' | 'boolean';

export interface TopicConfigDef {
  name: string;
  type: ConfigType;
  /** Name of the broker-level config this topic config defaults from (a synonym). */
  brokerName: string;
  doc: string;
  validate?: (value: string) => string | null;
  defaultValue: (broker: BrokerConfig) => string;
}

const DAY = 24 * 60 * 60 * 1000;
/** Kafka's Long.MAX_VALUE, the "no limit" default of several configs. */
export const LONG_MAX = '9223372036854775807';

/** Integer config (Kafka's LONG or INT) with Kafka's ConfigDef messages. */
function integer(type: 'LONG' | 'INT', min: number, max?: number): (v: string) => string | null {
  return (v) => {
    const t = v.trim();
    if (!/^-?\d+$/.test(t)) return `Not a number of type ${type}`;
    const n = BigInt(t);
    const [lo, hi] = type === 'INT' ? [-(2n ** 31n), 2n ** 31n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
    if (n < lo || n > hi) return `Not a number of type ${type}`;
    if (n < BigInt(min)) return `Value must be at least ${min}`;
    if (max !== undefined && n > BigInt(max)) return `Value must be no more than ${max}`;
    return null;
  };
}

const long = (min: number, max?: number) => integer('LONG', min, max);
const int = (min: number, max?: number) => integer('INT', min, max);

function oneOf(values: string[]): (v: string) => string | null {
  return (v) => (values.includes(v.trim()) ? null : `String must be one of: ${values.join(', ')}`);
}

function ratio(v: string): string | null {
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) return 'Not a number of type DOUBLE';
  if (n < 0) return 'Value must be at least 0';
  return n > 1 ? 'Value must be no more than 1' : null;
}

/** The entries of a list config ("compact, delete" → ["compact", "delete"]). */
export function listEntries(v: string): string[] {
  return v
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function cleanupPolicy(v: string): string | null {
  const parts = listEntries(v);
  if (parts.length === 0) return 'Empty list is not allowed: use delete, compact or both';
  for (const p of parts)
    if (p !== 'delete' && p !== 'compact') return 'String must be one of: compact, delete';
  return null;
}

function bool(v: string): string | null {
  const t = v.trim().toLowerCase();
  return t === 'true' || t === 'false' ? null : 'Expected value to be either true or false';
}

/** Throttled replica lists: empty, `*`, or partition:broker pairs. */
function replicaList(v: string): string | null {
  const parts = listEntries(v);
  if (parts.length === 1 && parts[0] === '*') return null;
  for (const p of parts)
    if (!/^\d+:\d+$/.test(p))
      return "must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...";
  return null;
}

export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  {
    name: 'cleanup.policy',
    type: 'list',
    brokerName: 'log.cleanup.policy',
    doc: 'delete: remove old segments by time or size; compact: keep the latest record per key; or both.',
    validate: cleanupPolicy,
    defaultValue: () => 'delete',
  },
  {
    name: 'retention.ms',
    type: 'long',
    brokerName: 'log.retention.ms',
    doc: 'How long a segment is kept before it may be deleted (-1: forever).',
    validate: long(-1),
    defaultValue: (b) => String(b.retentionMs),
  },
  {
    name: 'retention.bytes',
    type: 'long',
    brokerName: 'log.retention.bytes',
    doc: 'Largest size a partition may grow to before old segments are deleted (-1: no limit).',
    validate: long(-1),
    defaultValue: () => '-1',
  },
  {
    name: 'segment.bytes',
    type: 'int',
    brokerName: 'log.segment.bytes',
    doc: 'Segment file size at which a new segment is rolled.',
    validate: int(14),
    defaultValue: (b) => String(b.segmentBytes),
  },
  {
    name: 'segment.ms',
    type: 'long',
    brokerName: 'log.roll.ms',
    doc: 'Age at which the active segment is rolled even if not full.',
    validate: long(1, Number.MAX_SAFE_INTEGER),
    defaultValue: () => String(7 * DAY),
  },
  {
    name: 'segment.jitter.ms',
    type: 'long',
    brokerName: 'log.roll.jitter.ms',
    doc: 'Accepted for compatibility; segments roll exactly at segment.ms.',
    validate: long(0),
    defaultValue: () => '0',
  },
  {
    name: 'segment.index.bytes',
    type: 'int',
    brokerName: 'log.index.size.max.bytes',
    doc: 'Maximum size of a segment offset/time index; a full index rolls the segment.',
    validate: int(12),
    defaultValue: () => String(10 * 1024 * 1024),
  },
  {
    name: 'index.interval.bytes',
    type: 'int',
    brokerName: 'log.index.interval.bytes',
    doc: 'Bytes of log between two sparse index entries.',
    validate: int(0),
    defaultValue: () => '4096',
  },
  {
    name: 'delete.retention.ms',
    type: 'long',
    brokerName: 'log.cleaner.delete.retention.ms',
    doc: 'How long tombstones are kept in a compacted topic after compaction reached them.',
    validate: long(0),
    defaultValue: () => String(DAY),
  },
  {
    name: 'file.delete.delay.ms',
    type: 'long',
    brokerName: 'log.segment.delete.delay.ms',
    doc: 'Accepted for compatibility; deleted segments are removed at once.',
    validate: long(0),
    defaultValue: () => '60000',
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'long',
    brokerName: 'log.cleaner.min.compaction.lag.ms',
    doc: 'Minimum age of a record before it may be compacted.',
    validate: long(0),
    defaultValue: () => '0',
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'long',
    brokerName: 'log.cleaner.max.compaction.lag.ms',
    doc: 'Maximum time a record stays uncompacted.',
    validate: long(1),
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    brokerName: 'log.cleaner.min.cleanable.ratio',
    doc: 'Share of the log that must be uncompacted before the cleaner runs.',
    validate: ratio,
    defaultValue: () => '0.5',
  },
  {
    name: 'max.message.bytes',
    type: 'int',
    brokerName: 'message.max.bytes',
    doc: 'Largest record batch the topic accepts.',
    validate: int(0),
    defaultValue: (b) => String(b.messageMaxBytes),
  },
  {
    name: 'message.timestamp.type',
    type: 'string',
    brokerName: 'log.message.timestamp.type',
    doc: 'CreateTime keeps the producer timestamp; LogAppendTime stamps records with the broker time.',
    validate: oneOf(['CreateTime', 'LogAppendTime']),
    defaultValue: () => 'CreateTime',
  },
  {
    name: 'message.timestamp.difference.max.ms',
    type: 'long',
    brokerName: 'log.message.timestamp.difference.max.ms',
    doc: 'Largest allowed difference between a CreateTime timestamp and the broker clock (either way).',
    validate: long(0),
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    brokerName: 'log.message.timestamp.before.max.ms',
    doc: 'How far a CreateTime timestamp may lie in the past of the broker clock.',
    validate: long(0),
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    brokerName: 'log.message.timestamp.after.max.ms',
    doc: 'How far a CreateTime timestamp may lie in the future of the broker clock.',
    validate: long(0),
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'compression.type',
    type: 'string',
    brokerName: 'compression.type',
    doc: 'producer keeps the batches as the producer compressed them.',
    validate: oneOf(['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']),
    defaultValue: () => 'producer',
  },
  {
    name: 'flush.ms',
    type: 'long',
    brokerName: 'log.flush.interval.ms',
    doc: 'Background fsync period when the broker runs with --fsync interval.',
    validate: long(0, Number.MAX_SAFE_INTEGER),
    defaultValue: (b) => String(b.flushIntervalMs),
  },
  {
    name: 'flush.messages',
    type: 'long',
    brokerName: 'log.flush.interval.messages',
    doc: 'Accepted for compatibility; the broker --fsync policy decides when data is synced.',
    validate: long(1),
    defaultValue: () => LONG_MAX,
  },
  {
    name: 'preallocate',
    type: 'boolean',
    brokerName: 'log.preallocate',
    doc: 'Accepted for compatibility; segment files are not preallocated.',
    validate: bool,
    defaultValue: () => 'false',
  },
  {
    name: 'min.insync.replicas',
    type: 'int',
    brokerName: 'min.insync.replicas',
    doc: 'Single-node broker: only 1 is satisfiable.',
    validate: (v) =>
      int(1)(v) ??
      (Number(v) > 1 ? 'Value must be no more than 1 (a single-node broker has 1 replica)' : null),
    defaultValue: () => '1',
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    brokerName: 'unclean.leader.election.enable',
    doc: 'Accepted for compatibility; a single node has no election.',
    validate: bool,
    defaultValue: () => 'false',
  },
  {
    name: 'message.downconversion.enable',
    type: 'boolean',
    brokerName: 'log.message.downconversion.enable',
    doc: 'Accepted for compatibility; old message formats are never served.',
    validate: bool,
    defaultValue: () => 'true',
  },
  {
    name: 'leader.replication.throttled.replicas',
    type: 'list',
    brokerName: 'leader.replication.throttled.replicas',
    doc: 'Accepted for compatibility; a single node does not replicate.',
    validate: replicaList,
    defaultValue: () => '',
  },
  {
    name: 'confluent.key.schema.validation',
    type: 'boolean',
    brokerName: 'confluent.key.schema.validation',
    doc: 'Accept only keys carrying a schema id registered under <topic>-key (needs the schema registry).',
    validate: bool,
    defaultValue: () => 'false',
  },
  {
    name: 'confluent.value.schema.validation',
    type: 'boolean',
    brokerName: 'confluent.value.schema.validation',
    doc: 'Accept only values carrying a schema id registered under <topic>-value (needs the schema registry).',
    validate: bool,
    defaultValue: () => 'false',
  },
  {
    name: 'follower.replication.throttled.replicas',
    type: 'list',
    brokerName: 'follower.replication.throttled.replicas',
    doc: 'Accepted for compatibility; a single node does not replicate.',
    validate: replicaList,
    defaultValue: () => '',
  },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Validates one topic config; returns Kafka's error message or null. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const def = BY_NAME.get(name);
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic configs: ${name}`;
  const problem = def.validate?.(value);
  return problem ? `Invalid value ${value} for configuration ${name}: ${problem}` : null;
}

/** Validates a topic's whole set of overrides: every value, then the rules between configs. */
export function validateTopicConfigs(configs: Readonly<Record<string, string>>): string | null {
  for (const [name, value] of Object.entries(configs)) {
    const problem = validateTopicConfig(name, value);
    if (problem) return problem;
  }
  const minLag = configs['min.compaction.lag.ms'];
  const maxLag = configs['max.compaction.lag.ms'];
  if (minLag !== undefined && maxLag !== undefined && BigInt(minLag.trim()) > BigInt(maxLag.trim()))
    return `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`;
  return null;
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
