/**
 * Per-partition log settings and their mapping from Kafka topic config names
 * (`segment.bytes`, `segment.ms`, `segment.index.bytes`, `index.interval.bytes`, `flush.ms`, and for
 * retention and compaction `retention.ms`, `retention.bytes`, `cleanup.policy`, `delete.retention.ms`,
 * `min.compaction.lag.ms`, `max.compaction.lag.ms`, `min.cleanable.dirty.ratio`).
 * The flush policy is a broker-level choice; `flush.ms` only sets the 'interval' period.
 * Kafka's "no limit" Long.MAX_VALUE is accepted and held as Number.MAX_SAFE_INTEGER. Validation is
 * topic-config-rules.ts's (the one validator of topic configs); this file only parses.
 */
import { validateTopicConfig } from './topic-config-rules.ts';

export type FlushPolicy = 'never' | 'interval' | 'always';

/** cleanup.policy as flags: `delete`, `compact` or `compact,delete`. */
export interface CleanupPolicy {
  delete: boolean;
  compact: boolean;
}

export interface LogConfig {
  /** Roll the active segment before it would exceed this many bytes (max 2 GiB - 1). */
  segmentBytes: number;
  /** Roll the active segment once it is this old (ms since its first append). */
  segmentMs: number;
  /** Maximum bytes of one index file; a full index rolls the segment. */
  segmentIndexBytes: number;
  /** Bytes of log between two sparse index entries. */
  indexIntervalBytes: number;
  flushPolicy: FlushPolicy;
  /** Background fsync period for flushPolicy 'interval'. */
  flushMs: number;
  /** retention.ms: closed segments whose newest timestamp is older are deleted (-1: forever). */
  retentionMs: number;
  /** retention.bytes: oldest closed segments are deleted while the partition is larger (-1: no limit). */
  retentionBytes: number;
  cleanupPolicy: CleanupPolicy;
  /** delete.retention.ms: how long a tombstone survives once the cleaner has seen it. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: segments holding younger records are not compacted. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: dirty records older than this force a compaction (and a roll). */
  maxCompactionLagMs: number;
  /** min.cleanable.dirty.ratio: dirty share of the cleanable log that triggers compaction. */
  minCleanableDirtyRatio: number;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  flushPolicy: 'never',
  flushMs: 1000,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: { delete: true, compact: false },
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  minCleanableDirtyRatio: 0.5,
};

interface NumericKey {
  name: string;
  field:
    | 'segmentBytes'
    | 'segmentMs'
    | 'segmentIndexBytes'
    | 'indexIntervalBytes'
    | 'flushMs'
    | 'retentionMs'
    | 'retentionBytes'
    | 'deleteRetentionMs'
    | 'minCompactionLagMs'
    | 'maxCompactionLagMs';
  /** A Kafka LONG: values past 2^53 (up to Long.MAX_VALUE) clamp to Number.MAX_SAFE_INTEGER. */
  long?: boolean;
}

/** Where each numeric topic config goes; ranges are the rules' (topic-config-rules.ts). */
const NUMERIC: readonly NumericKey[] = [
  { name: 'segment.bytes', field: 'segmentBytes' },
  { name: 'segment.ms', field: 'segmentMs' },
  { name: 'segment.index.bytes', field: 'segmentIndexBytes' },
  { name: 'index.interval.bytes', field: 'indexIntervalBytes' },
  { name: 'flush.ms', field: 'flushMs' },
  { name: 'retention.ms', field: 'retentionMs', long: true },
  { name: 'retention.bytes', field: 'retentionBytes', long: true },
  { name: 'delete.retention.ms', field: 'deleteRetentionMs', long: true },
  { name: 'min.compaction.lag.ms', field: 'minCompactionLagMs', long: true },
  { name: 'max.compaction.lag.ms', field: 'maxCompactionLagMs', long: true },
];

const LONG_MAX = 2n ** 63n - 1n;

function parseIntStrict(value: string, long = false): number | null {
  const t = value.trim();
  if (!/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  if (Number.isSafeInteger(n)) return n;
  if (!long) return null;
  const big = BigInt(t);
  if (big > LONG_MAX || big < -LONG_MAX - 1n) return null;
  return big > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/** cleanup.policy: a comma list of delete and compact; null if invalid. */
export function parseCleanupPolicy(value: string): CleanupPolicy | null {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => p !== 'delete' && p !== 'compact')) return null;
  return { delete: parts.includes('delete'), compact: parts.includes('compact') };
}

/** A topic config's value when the rules accept it (validateTopicConfig), else undefined. */
function valid(configs: Readonly<Record<string, string>>, name: string): string | undefined {
  const raw = configs[name];
  return raw !== undefined && validateTopicConfig(name, raw) === null ? raw : undefined;
}

/**
 * The effective config of a topic: its overrides on top of the broker defaults. Values the rules
 * reject (a metadata file edited by hand) are ignored.
 */
export function logConfigFor(
  configs: Readonly<Record<string, string>>,
  defaults: Readonly<LogConfig>,
): LogConfig {
  const out: LogConfig = { ...defaults };
  for (const key of NUMERIC) {
    const raw = valid(configs, key.name);
    const n = raw === undefined ? null : parseIntStrict(raw, key.long);
    if (n !== null) out[key.field] = n;
  }
  const policy = valid(configs, 'cleanup.policy');
  const parsedPolicy = policy === undefined ? null : parseCleanupPolicy(policy);
  if (parsedPolicy !== null) out.cleanupPolicy = parsedPolicy;
  const ratio = valid(configs, 'min.cleanable.dirty.ratio');
  if (ratio !== undefined) out.minCleanableDirtyRatio = Number(ratio);
  return out;
}
