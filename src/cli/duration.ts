/**
 * Durations and points in time as users type them: `7d`, `36h`, `90m`, `1h30m`, `500ms`, or a bare
 * number of milliseconds (Kafka's unit). Retention also takes `disable`/`infinite` (-1), and a point
 * in time is an ISO date, epoch milliseconds, or a duration meaning "that long ago".
 */
import { UsageError } from './args.ts';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/** Milliseconds for a duration, or undefined when the text is not one. */
export function durationMs(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (/^\d+$/.test(value)) return Number(value);
  if (value === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let consumed = 0;
  for (let m = PART.exec(value); m !== null; m = PART.exec(value)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = PART.lastIndex;
  }
  if (consumed !== value.length) return undefined;
  return Math.round(total);
}

/** Like durationMs, but a usage error names the option when the text is not a duration. */
export function parseDuration(text: string, what: string): number {
  const ms = durationMs(text);
  if (ms === undefined) {
    throw new UsageError(`${what}: "${text}" is not a duration (examples: 7d, 36h, 90m, 1h30m, 500ms)`);
  }
  return ms;
}

const UNLIMITED = new Set(['disable', 'disabled', 'infinite', 'forever', 'unlimited', '-1']);

/** Retention in milliseconds; -1 (keep forever) for `disable`, `infinite` or `-1`. */
export function parseRetention(text: string, what: string): number {
  if (UNLIMITED.has(text.trim().toLowerCase())) return -1;
  const ms = parseDuration(text, what);
  if (ms <= 0)
    throw new UsageError(`${what}: retention must be positive, or "disable" to keep records forever`);
  return ms;
}

/** `2d`, `1d12h`, `90m`, `1500ms`; `infinite` for negative values (Kafka's "no limit"). */
export function formatDuration(ms: number): string {
  if (ms < 0) return 'infinite';
  if (ms === 0) return '0ms';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]!;
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}

/**
 * Epoch milliseconds for a point in time: an ISO 8601 date or date-time (`2024-05-01`,
 * `2024-05-01T10:00:00Z`), epoch milliseconds (`1714557600000`), or a duration ago (`2h`).
 */
export function parseTimePoint(text: string, what: string, now: number = Date.now()): number {
  const value = text.trim();
  if (/^\d{10,}$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  } else {
    const ago = durationMs(value);
    if (ago !== undefined && !/^\d+$/.test(value)) return now - ago;
  }
  throw new UsageError(
    `${what}: "${text}" is not a time (use an ISO date like 2024-05-01T10:00:00Z, epoch milliseconds, or a duration ago like 2h)`,
  );
}
