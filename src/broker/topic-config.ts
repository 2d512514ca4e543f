/**
 * Topic configuration: Kafka's topic config names, their broker-level defaults, validation and
 * documentation. Topics store only the values set on them; everything else resolves to the
 * broker default (DescribeConfigs reports which source a value came from).
 */
import type { BrokerConfig } from './config.ts';

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

function longAtLeast(min: number): (v: string) => string | null {
  return (v) => {
    if (!/^-?\d+$/.test(v.trim())) return `must be an integer, got "${v}"`;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) return `out of range: ${v}`;
    return n < min ? `must be at least ${min}, got ${n}` : null;
  };
}

function oneOf(values: string[]): (v: string) => string | null {
  return (v) => (values.includes(v) ? null : `must be one of ${values.join(', ')}, got "${v}"`);
}

function ratio(v: string): string | null {
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) return `must be a number, got "${v}"`;
  return n < 0 || n > 1 ? `must be between 0 and 1, got ${n}` : null;
}

function cleanupPolicy(v: string): string | null {
  const parts = v
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return 'must list delete and/or compact';
  for (const p of parts)
    if (p !== 'delete' && p !== 'compact') return `unknown policy "${p}" (use delete, compact or both)`;
  return null;
}

function bool(v: string): string | null {
  return v === 'true' || v === 'false' ? null : `must be true or false, got "${v}"`;
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
    validate: longAtLeast(-1),
    defaultValue: (b) => String(b.retentionMs),
  },
  {
    name: 'retention.bytes',
    type: 'long',
    brokerName: 'log.retention.bytes',
    doc: 'Largest size a partition may grow to before old segments are deleted (-1: no limit).',
    validate: longAtLeast(-1),
    defaultValue: () => '-1',
  },
  {
    name: 'segment.bytes',
    type: 'int',
    brokerName: 'log.segment.bytes',
    doc: 'Segment file size at which a new segment is rolled.',
    validate: longAtLeast(14),
    defaultValue: (b) => String(b.segmentBytes),
  },
  {
    name: 'segment.ms',
    type: 'long',
    brokerName: 'log.roll.ms',
    doc: 'Age at which the active segment is rolled even if not full.',
    validate: longAtLeast(1),
    defaultValue: () => String(7 * DAY),
  },
  {
    name: 'delete.retention.ms',
    type: 'long',
    brokerName: 'log.cleaner.delete.retention.ms',
    doc: 'How long tombstones are kept in a compacted topic after compaction reached them.',
    validate: longAtLeast(0),
    defaultValue: () => String(DAY),
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'long',
    brokerName: 'log.cleaner.min.compaction.lag.ms',
    doc: 'Minimum age of a record before it may be compacted.',
    validate: longAtLeast(0),
    defaultValue: () => '0',
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'long',
    brokerName: 'log.cleaner.max.compaction.lag.ms',
    doc: 'Maximum time a record stays uncompacted.',
    validate: longAtLeast(1),
    defaultValue: () => String(Number.MAX_SAFE_INTEGER),
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
    validate: longAtLeast(0),
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
    doc: 'Largest allowed difference between a CreateTime timestamp and the broker clock.',
    validate: longAtLeast(0),
    defaultValue: () => String(Number.MAX_SAFE_INTEGER),
  },
  {
    name: 'compression.type',
    type: 'string',
    brokerName: 'compression.type',
    doc: 'producer keeps the batches as the producer compressed them.',
    validate: oneOf(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd']),
    defaultValue: () => 'producer',
  },
  {
    name: 'min.insync.replicas',
    type: 'int',
    brokerName: 'min.insync.replicas',
    doc: 'Single-node broker: only 1 is satisfiable.',
    validate: (v) => longAtLeast(1)(v) ?? (Number(v) > 1 ? 'a single-node broker has 1 replica' : null),
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
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Validates one topic config; returns an error message or null. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const def = BY_NAME.get(name);
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic config ${name}`;
  const problem = def.validate?.(value);
  return problem ? `Invalid value ${value} for configuration ${name}: ${problem}` : null;
}

/** The effective value: set on the topic, else the broker default. */
export function effectiveTopicConfig(
  name: string,
  topicConfigs: Record<string, string>,
  broker: BrokerConfig,
): string {
  const set = topicConfigs[name];
  if (set !== undefined) return set;
  const def = BY_NAME.get(name);
  return def ? def.defaultValue(broker) : '';
}

/** Topic names: 1-249 chars of [a-zA-Z0-9._-], not "." or "..". Returns an error message or null. */
export function validateTopicName(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > 249)
    return `Topic name is illegal, it can't be longer than 249 characters, topic name: ${name}`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name))
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}
