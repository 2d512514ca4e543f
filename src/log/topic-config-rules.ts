/**
 * Kafka's topic configs as the storage layer accepts them: each name's type and validation, with
 * Kafka's error messages. This is the one place topic configs are validated: the log manager checks
 * a topic's configs with it before it stores them, the broker answers CreateTopics, AlterConfigs and
 * IncrementalAlterConfigs with its messages, and `logConfigFor` applies only values it accepts.
 * Not here: the broker-level defaults and documentation (broker/topic-config.ts).
 */
export type ConfigType = 'long' | 'int' | 'double' | 'string' | 'list' | 'boolean';

export interface TopicConfigRule {
  readonly type: ConfigType;
  /** Kafka's message for an invalid value, or null. */
  readonly validate?: (value: string) => string | null;
}

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

const RULES: ReadonlyMap<string, TopicConfigRule> = new Map<string, TopicConfigRule>([
  ['cleanup.policy', { type: 'list', validate: cleanupPolicy }],
  ['retention.ms', { type: 'long', validate: long(-1) }],
  ['retention.bytes', { type: 'long', validate: long(-1) }],
  ['segment.bytes', { type: 'int', validate: int(14) }],
  ['segment.ms', { type: 'long', validate: long(1, Number.MAX_SAFE_INTEGER) }],
  ['segment.jitter.ms', { type: 'long', validate: long(0) }],
  ['segment.index.bytes', { type: 'int', validate: int(12) }],
  ['index.interval.bytes', { type: 'int', validate: int(0) }],
  ['delete.retention.ms', { type: 'long', validate: long(0) }],
  ['file.delete.delay.ms', { type: 'long', validate: long(0) }],
  ['min.compaction.lag.ms', { type: 'long', validate: long(0) }],
  ['max.compaction.lag.ms', { type: 'long', validate: long(1) }],
  ['min.cleanable.dirty.ratio', { type: 'double', validate: ratio }],
  ['max.message.bytes', { type: 'int', validate: int(0) }],
  ['message.timestamp.type', { type: 'string', validate: oneOf(['CreateTime', 'LogAppendTime']) }],
  ['message.timestamp.difference.max.ms', { type: 'long', validate: long(0) }],
  ['message.timestamp.before.max.ms', { type: 'long', validate: long(0) }],
  ['message.timestamp.after.max.ms', { type: 'long', validate: long(0) }],
  [
    'compression.type',
    { type: 'string', validate: oneOf(['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']) },
  ],
  ['flush.ms', { type: 'long', validate: long(0, Number.MAX_SAFE_INTEGER) }],
  ['flush.messages', { type: 'long', validate: long(1) }],
  ['preallocate', { type: 'boolean', validate: bool }],
  [
    'min.insync.replicas',
    {
      type: 'int',
      validate: (v) =>
        int(1)(v) ??
        (Number(v) > 1 ? 'Value must be no more than 1 (a single-node broker has 1 replica)' : null),
    },
  ],
  ['unclean.leader.election.enable', { type: 'boolean', validate: bool }],
  ['message.downconversion.enable', { type: 'boolean', validate: bool }],
  ['leader.replication.throttled.replicas', { type: 'list', validate: replicaList }],
  ['confluent.key.schema.validation', { type: 'boolean', validate: bool }],
  ['confluent.value.schema.validation', { type: 'boolean', validate: bool }],
  ['follower.replication.throttled.replicas', { type: 'list', validate: replicaList }],
]);

/** The rule for a topic config name; undefined for a name Kafka's topics do not have. */
export function topicConfigRule(name: string): TopicConfigRule | undefined {
  return RULES.get(name);
}

/** Every topic config name, in Kafka's documentation order. */
export const TOPIC_CONFIG_NAMES: readonly string[] = [...RULES.keys()];

/** Validates one topic config; returns Kafka's error message or null. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const rule = RULES.get(name);
  if (!rule) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic configs: ${name}`;
  const problem = rule.validate?.(value);
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
