/**
 * Per-partition log settings and their mapping from Kafka topic config names
 * (`segment.bytes`, `segment.ms`, `segment.index.bytes`, `index.interval.bytes`, `flush.ms`).
 * The flush policy is a broker-level choice; `flush.ms` only sets the 'interval' period.
 */
export type FlushPolicy = 'never' | 'interval' | 'always';

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
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  flushPolicy: 'never',
  flushMs: 1000,
};

const INT32_MAX = 0x7fffffff;

interface NumericKey {
  name: string;
  field: 'segmentBytes' | 'segmentMs' | 'segmentIndexBytes' | 'indexIntervalBytes' | 'flushMs';
  min: number;
  max: number;
}

const NUMERIC: readonly NumericKey[] = [
  { name: 'segment.bytes', field: 'segmentBytes', min: 14, max: INT32_MAX },
  { name: 'segment.ms', field: 'segmentMs', min: 1, max: Number.MAX_SAFE_INTEGER },
  { name: 'segment.index.bytes', field: 'segmentIndexBytes', min: 12, max: INT32_MAX },
  { name: 'index.interval.bytes', field: 'indexIntervalBytes', min: 0, max: INT32_MAX },
  { name: 'flush.ms', field: 'flushMs', min: 0, max: Number.MAX_SAFE_INTEGER },
];

function parseIntStrict(value: string): number | null {
  if (!/^-?\d+$/.test(value.trim())) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** Checks the log-related keys of a topic config map; returns an error message or null. */
export function validateLogConfigs(configs: Readonly<Record<string, string>>): string | null {
  for (const key of NUMERIC) {
    const raw = configs[key.name];
    if (raw === undefined) continue;
    const n = parseIntStrict(raw);
    if (n === null || n < key.min || n > key.max) {
      return `Invalid value ${raw} for configuration ${key.name}: must be an integer in [${key.min}, ${key.max}]`;
    }
  }
  return null;
}

/** The effective config of a topic: its overrides on top of the broker defaults. Invalid values are ignored. */
export function logConfigFor(
  configs: Readonly<Record<string, string>>,
  defaults: Readonly<LogConfig>,
): LogConfig {
  const out: LogConfig = { ...defaults };
  for (const key of NUMERIC) {
    const raw = configs[key.name];
    if (raw === undefined) continue;
    const n = parseIntStrict(raw);
    if (n !== null && n >= key.min && n <= key.max) out[key.field] = n;
  }
  return out;
}
